//! The resident form at `/`: blank on GET, re-rendered with messages beside the fields when a
//! submission is refused (see `intake_submit`). Works without JavaScript.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::error::PageError;
use super::lang::lang_of;
use super::view;
use crate::domain::{Category, FiledBy, Urgency};
use crate::i18n::{self, Tr};
use crate::intake::{FieldError, ItemInput, Problem, RequestInput};

/// Item rows shown on a blank form.
pub const ITEM_ROWS: usize = 5;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(blank_form));
}

async fn blank_form(req: HttpRequest) -> Result<HttpResponse, PageError> {
    let values = FormValues {
        household_size: "1".into(),
        idempotency_key: format!("form-{}", uuid::Uuid::new_v4().simple()),
        ..FormValues::default()
    };
    let page = FormPage::new(Tr::new(lang_of(&req)), values);
    view::html(&req, StatusCode::OK, &page)
}

/// One item row as typed.
#[derive(Clone, Debug, Default)]
pub struct ItemRowValues {
    pub name: String,
    pub quantity: String,
    pub unit: String,
}

/// The form's fields as typed (strings), so that a refused form comes back as it was.
#[derive(Clone, Debug, Default)]
pub struct FormValues {
    pub resident_name: String,
    pub phone: String,
    pub household_size: String,
    pub address: String,
    pub building: String,
    pub unit: String,
    pub room: String,
    pub category: String,
    pub urgency: String,
    pub available_from: String,
    pub available_until: String,
    pub notes: String,
    pub filed_by: String,
    pub filer_name: String,
    pub filer_phone: String,
    pub idempotency_key: String,
    pub items: Vec<ItemRowValues>,
}

impl FormValues {
    /// From the posted pairs; unknown fields are ignored, item rows are `item_name_N`,
    /// `item_quantity_N`, `item_unit_N` for N < 20.
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut v = FormValues::default();
        for (k, val) in pairs {
            let val = val.clone();
            match k.as_str() {
                "resident_name" => v.resident_name = val,
                "phone" => v.phone = val,
                "household_size" => v.household_size = val,
                "address" => v.address = val,
                "building" => v.building = val,
                "unit" => v.unit = val,
                "room" => v.room = val,
                "category" => v.category = val,
                "urgency" => v.urgency = val,
                "available_from" => v.available_from = val,
                "available_until" => v.available_until = val,
                "notes" => v.notes = val,
                "filed_by" => v.filed_by = val,
                "filer_name" => v.filer_name = val,
                "filer_phone" => v.filer_phone = val,
                "idempotency_key" => v.idempotency_key = val,
                other => {
                    let Some((field, index)) = other.rsplit_once('_') else {
                        continue;
                    };
                    let Ok(i) = index.parse::<usize>() else {
                        continue;
                    };
                    if i >= crate::intake::limits::ITEMS_MAX {
                        continue;
                    }
                    if v.items.len() <= i {
                        v.items.resize(i + 1, ItemRowValues::default());
                    }
                    match field {
                        "item_name" => v.items[i].name = val,
                        "item_quantity" => v.items[i].quantity = val,
                        "item_unit" => v.items[i].unit = val,
                        _ => {}
                    }
                }
            }
        }
        v
    }

    /// The typed input, plus errors for what cannot even be typed (a number field with
    /// letters). Also the form row of each input item, to put item errors on the right row.
    pub fn to_input(&self) -> (RequestInput, Vec<FieldError>, Vec<usize>) {
        let mut errors = Vec::new();
        let opt = |s: &str| (!s.trim().is_empty()).then(|| s.to_owned());
        let household_size = if self.household_size.trim().is_empty() {
            1
        } else {
            match crate::intake::to_half_width(self.household_size.trim()).parse::<i64>() {
                Ok(n) => n,
                Err(_) => {
                    errors.push(FieldError {
                        field: "household_size".into(),
                        problem: Problem::NotANumber,
                    });
                    1
                }
            }
        };
        let mut items = Vec::new();
        let mut rows = Vec::new();
        for (row, it) in self.items.iter().enumerate() {
            if it.name.trim().is_empty()
                && it.quantity.trim().is_empty()
                && it.unit.trim().is_empty()
            {
                continue;
            }
            let index = items.len();
            let quantity = if it.quantity.trim().is_empty() {
                1
            } else {
                match crate::intake::to_half_width(it.quantity.trim()).parse::<i64>() {
                    Ok(q) => q,
                    Err(_) => {
                        errors.push(FieldError {
                            field: format!("items[{index}].quantity"),
                            problem: Problem::NotANumber,
                        });
                        1
                    }
                }
            };
            items.push(ItemInput {
                name: it.name.clone(),
                quantity,
                unit: opt(&it.unit),
            });
            rows.push(row);
        }
        let input = RequestInput {
            resident_name: self.resident_name.clone(),
            phone: self.phone.clone(),
            address: self.address.clone(),
            building: opt(&self.building),
            unit: opt(&self.unit),
            room: opt(&self.room),
            household_size,
            category: self.category.clone(),
            items,
            urgency: opt(&self.urgency),
            available_from: opt(&self.available_from),
            available_until: opt(&self.available_until),
            notes: opt(&self.notes),
            filed_by: opt(&self.filed_by),
            filer_name: opt(&self.filer_name),
            filer_phone: opt(&self.filer_phone),
            idempotency_key: opt(&self.idempotency_key),
        };
        (input, errors, rows)
    }
}

/// A radio button or option.
pub struct Choice {
    pub code: &'static str,
    pub label: String,
    pub checked: bool,
}

/// An item row as shown.
pub struct RowView {
    pub index: usize,
    pub number: usize,
    pub name: String,
    pub quantity: String,
    pub unit: String,
    pub error: String,
}

#[derive(askama::Template)]
#[template(path = "form.html")]
pub struct FormPage {
    pub t: Tr,
    pub v: FormValues,
    /// (field, message) for fields other than item rows.
    pub errors: Vec<(String, String)>,
    pub categories: Vec<Choice>,
    pub urgencies: Vec<Choice>,
    pub filers: Vec<Choice>,
    pub rows: Vec<RowView>,
}

impl FormPage {
    /// `item_rows[i]` is the form row of input item `i` (from [`FormValues::to_input`]).
    pub fn with_errors(t: Tr, v: FormValues, errors: &[FieldError], item_rows: &[usize]) -> Self {
        let mut page = FormPage::new(t, v);
        for e in errors {
            let message = i18n::problem(t.lang, &e.problem);
            let row = e
                .field
                .strip_prefix("items[")
                .and_then(|rest| rest.split(']').next())
                .and_then(|i| i.parse::<usize>().ok())
                .and_then(|i| item_rows.get(i).copied());
            match row.and_then(|r| page.rows.get_mut(r)) {
                Some(r) if r.error.is_empty() => r.error = message,
                Some(_) => {}
                None => page.errors.push((e.field.clone(), message)),
            }
        }
        if !errors.is_empty() && page.errors.is_empty() {
            // Only item rows were refused: still show the summary at the top.
            page.errors.push(("items_rows".into(), String::new()));
        }
        page
    }

    pub fn new(t: Tr, v: FormValues) -> Self {
        let category = v.category.clone();
        let urgency = if v.urgency.is_empty() {
            "normal".to_owned()
        } else {
            v.urgency.clone()
        };
        let filed_by = if v.filed_by.is_empty() {
            "resident".to_owned()
        } else {
            v.filed_by.clone()
        };
        let row_count = v.items.len().max(ITEM_ROWS);
        let rows = (0..row_count)
            .map(|i| {
                let r = v.items.get(i).cloned().unwrap_or_default();
                RowView {
                    index: i,
                    number: i + 1,
                    name: r.name,
                    quantity: r.quantity,
                    unit: r.unit,
                    error: String::new(),
                }
            })
            .collect();
        FormPage {
            t,
            categories: Category::ALL
                .iter()
                .map(|c| Choice {
                    code: c.as_str(),
                    label: t.code("category", c.as_str()),
                    checked: c.as_str() == category,
                })
                .collect(),
            urgencies: Urgency::ALL
                .iter()
                .map(|c| Choice {
                    code: c.as_str(),
                    label: t.code("urgency", c.as_str()),
                    checked: c.as_str() == urgency,
                })
                .collect(),
            filers: FiledBy::ALL
                .iter()
                .map(|c| Choice {
                    code: c.as_str(),
                    label: t.code("filed_by", c.as_str()),
                    checked: c.as_str() == filed_by,
                })
                .collect(),
            rows,
            errors: Vec::new(),
            v,
        }
    }

    /// The message for `field`, or "" when it is fine.
    pub fn err(&self, field: &str) -> &str {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map_or("", |(_, m)| m.as_str())
    }
}

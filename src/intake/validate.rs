//! The intake rules: lengths, phone numbers, items and quantities, codes, hours.

use chrono::NaiveTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::phone::{parse_phone, to_half_width};
use crate::domain::{Category, FiledBy, Urgency};

/// Limits, in characters unless said otherwise.
pub mod limits {
    pub const NAME_MAX: usize = 40;
    pub const ADDRESS_MIN: usize = 2;
    pub const ADDRESS_MAX: usize = 120;
    pub const PART_MAX: usize = 20;
    pub const NOTES_MAX: usize = 500;
    pub const ITEM_NAME_MAX: usize = 40;
    pub const ITEM_UNIT_MAX: usize = 10;
    pub const ITEMS_MAX: usize = 20;
    pub const QUANTITY_MAX: i64 = 999;
    pub const HOUSEHOLD_MAX: i64 = 50;
    pub const IDEMPOTENCY_KEY_MAX: usize = 64;
}

/// A request as typed, before validation (the JSON API's body; the form and the CSV import
/// build one too).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestInput {
    /// The resident's name.
    #[schema(example = "王桂兰")]
    pub resident_name: String,
    /// Chinese mobile (11 digits, 1[3-9]…) or landline with area code (0451-8xxxxxxx).
    #[schema(example = "13945678901")]
    pub phone: String,
    /// The address as the resident writes it.
    #[schema(example = "鸿翔名苑3栋2单元501")]
    pub address: String,
    #[serde(default)]
    pub building: Option<String>,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub room: Option<String>,
    /// People in the household, 1–50.
    #[serde(default = "one")]
    #[schema(minimum = 1, maximum = 50, default = 1)]
    pub household_size: i64,
    /// `medicine`, `food`, `infant_supplies`, `medical_emergency` or `other`.
    #[schema(example = "medicine")]
    pub category: String,
    /// 1–20 items.
    pub items: Vec<ItemInput>,
    /// `extremely_urgent`, `urgent` or `normal` (default).
    #[serde(default)]
    pub urgency: Option<String>,
    /// Local time `HH:MM` from which someone is home.
    #[serde(default)]
    #[schema(example = "09:00")]
    pub available_from: Option<String>,
    /// Local time `HH:MM` until which someone is home.
    #[serde(default)]
    #[schema(example = "17:30")]
    pub available_until: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    /// `resident` (default), `building_leader`, `neighbour` or `volunteer`.
    #[serde(default)]
    pub filed_by: Option<String>,
    /// Required when filing on behalf of someone.
    #[serde(default)]
    pub filer_name: Option<String>,
    /// Required when filing on behalf of someone.
    #[serde(default)]
    pub filer_phone: Option<String>,
    /// Same key, same request: a repeated submission returns the first one. The
    /// `Idempotency-Key` header does the same.
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

fn one() -> i64 {
    1
}

/// One item as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemInput {
    #[schema(example = "硝苯地平控释片")]
    pub name: String,
    /// 1–999.
    #[schema(minimum = 1, maximum = 999, example = 2)]
    pub quantity: i64,
    #[serde(default)]
    #[schema(example = "盒")]
    pub unit: Option<String>,
}

/// A stored item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Item {
    pub name: String,
    pub quantity: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// A request that passed every rule: trimmed, normalized, typed.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidRequest {
    pub resident_name: String,
    /// Digits only (landlines keep one hyphen after the area code).
    pub phone: String,
    pub address: String,
    pub building: Option<String>,
    pub unit: Option<String>,
    pub room: Option<String>,
    pub household_size: i32,
    pub category: Category,
    pub items: Vec<Item>,
    pub urgency: Urgency,
    pub available_from: Option<NaiveTime>,
    pub available_until: Option<NaiveTime>,
    pub notes: String,
    pub filed_by: FiledBy,
    pub filer_name: Option<String>,
    pub filer_phone: Option<String>,
    pub idempotency_key: Option<String>,
}

/// Why a field was refused. Rendered for people by [`crate::i18n`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Problem {
    Required,
    TooLong { max: usize },
    TooShort { min: usize },
    ControlCharacters,
    Phone,
    NotANumber,
    OutOfRange { min: i64, max: i64 },
    UnknownCode { allowed: Vec<&'static str> },
    NoItems,
    TooManyItems { max: usize },
    TimeFormat,
    TimeOrder,
    FilerRequired,
    IdempotencyKey,
}

impl Problem {
    /// The stable code (`too_long`, ...), for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::Required => "required",
            Problem::TooLong { .. } => "too_long",
            Problem::TooShort { .. } => "too_short",
            Problem::ControlCharacters => "control_characters",
            Problem::Phone => "phone",
            Problem::NotANumber => "not_a_number",
            Problem::OutOfRange { .. } => "out_of_range",
            Problem::UnknownCode { .. } => "unknown_code",
            Problem::NoItems => "no_items",
            Problem::TooManyItems { .. } => "too_many_items",
            Problem::TimeFormat => "time_format",
            Problem::TimeOrder => "time_order",
            Problem::FilerRequired => "filer_required",
            Problem::IdempotencyKey => "idempotency_key",
        }
    }
}

/// A refused field: its name as the client sent it (`items[2].quantity`) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub problem: Problem,
}

/// Checks every rule and reports every refused field at once (not just the first).
pub fn validate(input: &RequestInput) -> Result<ValidRequest, Vec<FieldError>> {
    let mut v = Checker::default();
    let resident_name = v.text("resident_name", &input.resident_name, 1, limits::NAME_MAX);
    let phone = v.phone("phone", &input.phone);
    let address = v.text(
        "address",
        &input.address,
        limits::ADDRESS_MIN,
        limits::ADDRESS_MAX,
    );
    let building = v.optional("building", input.building.as_deref(), limits::PART_MAX);
    let unit = v.optional("unit", input.unit.as_deref(), limits::PART_MAX);
    let room = v.optional("room", input.room.as_deref(), limits::PART_MAX);
    let household_size = v.range(
        "household_size",
        input.household_size,
        1,
        limits::HOUSEHOLD_MAX,
    );
    let category = v.code::<Category>("category", Some(&input.category), Category::ALL);
    if category.is_none() {
        v.fail("category", Problem::Required);
    }
    let urgency = v
        .code::<Urgency>("urgency", input.urgency.as_deref(), Urgency::ALL)
        .unwrap_or(Urgency::Normal);
    let filed_by = v
        .code::<FiledBy>("filed_by", input.filed_by.as_deref(), FiledBy::ALL)
        .unwrap_or(FiledBy::Resident);
    let items = v.items(&input.items);
    let available_from = v.time("available_from", input.available_from.as_deref());
    let available_until = v.time("available_until", input.available_until.as_deref());
    if let (Some(from), Some(until)) = (available_from, available_until)
        && from >= until
    {
        v.fail("available_until", Problem::TimeOrder);
    }
    let notes = v
        .optional_multiline("notes", input.notes.as_deref(), limits::NOTES_MAX)
        .unwrap_or_default();
    let mut filer_name = v.optional("filer_name", input.filer_name.as_deref(), limits::NAME_MAX);
    let mut filer_phone = match input.filer_phone.as_deref().map(str::trim) {
        Some(p) if !p.is_empty() => v.phone("filer_phone", p),
        _ => None,
    };
    if filed_by.is_on_behalf() {
        if filer_name.is_none() && !v.has("filer_name") {
            v.fail("filer_name", Problem::FilerRequired);
        }
        if filer_phone.is_none() && !v.has("filer_phone") {
            v.fail("filer_phone", Problem::FilerRequired);
        }
    } else {
        // A resident filing for themselves has no separate filer.
        filer_name = None;
        filer_phone = None;
    }
    let idempotency_key = match input.idempotency_key.as_deref().map(str::trim) {
        Some(k) if !k.is_empty() => {
            let ok = k.len() <= limits::IDEMPOTENCY_KEY_MAX
                && k.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.'));
            if !ok {
                v.fail("idempotency_key", Problem::IdempotencyKey);
            }
            Some(k.to_owned())
        }
        _ => None,
    };

    if !v.errors.is_empty() {
        return Err(v.errors);
    }
    // Every Option below is Some when no error was recorded for its field.
    match (
        resident_name,
        phone,
        address,
        household_size,
        category,
        items,
    ) {
        (
            Some(resident_name),
            Some(phone),
            Some(address),
            Some(hh),
            Some(category),
            Some(items),
        ) => Ok(ValidRequest {
            resident_name,
            phone,
            address,
            building,
            unit,
            room,
            household_size: hh as i32,
            category,
            items,
            urgency,
            available_from,
            available_until,
            notes,
            filed_by,
            filer_name,
            filer_phone,
            idempotency_key,
        }),
        _ => Err(vec![FieldError {
            field: "request".into(),
            problem: Problem::Required,
        }]),
    }
}

#[derive(Default)]
struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    fn fail(&mut self, field: &str, problem: Problem) {
        if !self.has(field) {
            self.errors.push(FieldError {
                field: field.into(),
                problem,
            });
        }
    }

    fn has(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    /// Trimmed single-line text of min..=max characters.
    fn text(&mut self, field: &str, raw: &str, min: usize, max: usize) -> Option<String> {
        let s = raw.trim();
        let n = s.chars().count();
        if n == 0 {
            self.fail(field, Problem::Required);
            return None;
        }
        if s.chars().any(char::is_control) {
            self.fail(field, Problem::ControlCharacters);
            return None;
        }
        if n > max {
            self.fail(field, Problem::TooLong { max });
            return None;
        }
        if n < min {
            self.fail(field, Problem::TooShort { min });
            return None;
        }
        Some(s.to_owned())
    }

    fn optional(&mut self, field: &str, raw: Option<&str>, max: usize) -> Option<String> {
        match raw.map(str::trim) {
            Some(s) if !s.is_empty() => self.text(field, s, 1, max),
            _ => None,
        }
    }

    /// Like `optional`, but newlines and tabs are allowed.
    fn optional_multiline(&mut self, field: &str, raw: Option<&str>, max: usize) -> Option<String> {
        let s = raw.map(str::trim).filter(|s| !s.is_empty())?;
        if s.chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            self.fail(field, Problem::ControlCharacters);
            return None;
        }
        if s.chars().count() > max {
            self.fail(field, Problem::TooLong { max });
            return None;
        }
        Some(s.replace("\r\n", "\n"))
    }

    fn phone(&mut self, field: &str, raw: &str) -> Option<String> {
        match parse_phone(raw) {
            Ok(p) => Some(p),
            Err(problem) => {
                self.fail(field, problem);
                None
            }
        }
    }

    fn range(&mut self, field: &str, n: i64, min: i64, max: i64) -> Option<i64> {
        if (min..=max).contains(&n) {
            Some(n)
        } else {
            self.fail(field, Problem::OutOfRange { min, max });
            None
        }
    }

    fn code<T: std::str::FromStr + Copy + CodeName>(
        &mut self,
        field: &str,
        raw: Option<&str>,
        all: &[T],
    ) -> Option<T> {
        let s = raw.map(str::trim).filter(|s| !s.is_empty())?;
        match s.parse::<T>() {
            Ok(v) => Some(v),
            Err(_) => {
                self.fail(
                    field,
                    Problem::UnknownCode {
                        allowed: all.iter().map(|c| c.code_name()).collect(),
                    },
                );
                None
            }
        }
    }

    fn time(&mut self, field: &str, raw: Option<&str>) -> Option<NaiveTime> {
        let s = raw.map(str::trim).filter(|s| !s.is_empty())?;
        let s = to_half_width(s).replace('：', ":");
        match NaiveTime::parse_from_str(&s, "%H:%M") {
            Ok(t) => Some(t),
            Err(_) => {
                self.fail(field, Problem::TimeFormat);
                None
            }
        }
    }

    fn items(&mut self, raw: &[ItemInput]) -> Option<Vec<Item>> {
        if raw.len() > limits::ITEMS_MAX {
            self.fail(
                "items",
                Problem::TooManyItems {
                    max: limits::ITEMS_MAX,
                },
            );
            return None;
        }
        if raw.is_empty() {
            self.fail("items", Problem::NoItems);
            return None;
        }
        let before = self.errors.len();
        let mut items = Vec::with_capacity(raw.len());
        for (i, it) in raw.iter().enumerate() {
            let name = self.text(
                &format!("items[{i}].name"),
                &it.name,
                1,
                limits::ITEM_NAME_MAX,
            );
            let quantity = self.range(
                &format!("items[{i}].quantity"),
                it.quantity,
                1,
                limits::QUANTITY_MAX,
            );
            let unit = self.optional(
                &format!("items[{i}].unit"),
                it.unit.as_deref(),
                limits::ITEM_UNIT_MAX,
            );
            if let (Some(name), Some(quantity)) = (name, quantity) {
                items.push(Item {
                    name,
                    quantity: quantity as i32,
                    unit,
                });
            }
        }
        (self.errors.len() == before).then_some(items)
    }
}

/// Gives the vocabularies' codes to error messages.
pub trait CodeName {
    fn code_name(&self) -> &'static str;
}

macro_rules! code_name {
    ($($t:ty),*) => {$(
        impl CodeName for $t {
            fn code_name(&self) -> &'static str {
                self.as_str()
            }
        }
    )*};
}
code_name!(Category, Urgency, FiledBy);

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;

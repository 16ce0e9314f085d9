//! `POST /requests`: the form's submission. Refused → the form again (422) with every
//! message beside its field and nothing stored; accepted → 303 to the confirmation page, so
//! a refresh does not post again. A double click posts the same idempotency key twice: the
//! second finds the first request.
//!
//! Each client may file only so often (`--intake-rate`, shared with the API): over the limit the
//! answer is the "try again in N s" page (429, `Retry-After`). A filled honeypot field (hidden
//! from people, see `form.html`) marks a bot: nothing is stored and the answer is the empty form,
//! as if all went well, so the bot learns nothing.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};

use super::error::{AppError, PageError};
use super::form::{FormPage, FormValues};
use super::lang::lang_of;
use super::{AppState, view};
use crate::db::requests::RequestRow;
use crate::domain::Source;
use crate::i18n::Tr;
use crate::intake::{self, ValidRequest};

/// The form's honeypot field: people never see it, so only a bot fills it.
pub const HONEYPOT_FIELD: &str = "homepage";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/requests", web::post().to(submit))
        .route("/requests", web::get().to(back_to_form));
}

/// Geocodes (when a locator is wired) and stores; only after the commit is the request
/// acknowledged. Shared by the form and the JSON API.
pub async fn file(
    state: &AppState,
    valid: ValidRequest,
    source: Source,
) -> Result<(RequestRow, bool), AppError> {
    let located = match &state.locator {
        Some(locator) => {
            let locator = locator.clone();
            let v = valid.clone();
            Some(web::block(move || locator.locate(&v)).await?)
        }
        None => None,
    };
    let row = intake::to_row(&valid, located.as_ref(), source);
    let stored = state
        .db
        .write(move |c| crate::db::requests::file(c, &row, "resident"))
        .await?;
    Ok(stored)
}

async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let lang = lang_of(&req);
    state
        .auth
        .limit(&state.auth.intake, &req)
        .map_err(|e| PageError::new(e, lang))?;
    if form
        .iter()
        .any(|(k, v)| k == HONEYPOT_FIELD && !v.trim().is_empty())
    {
        tracing::info!("honeypot filled: form submission dropped");
        return Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, "/"))
            .finish());
    }
    // The form decoder replaces undecodable bytes with U+FFFD: refuse rather than store them.
    if form
        .iter()
        .any(|(k, v)| k.contains('\u{FFFD}') || v.contains('\u{FFFD}'))
    {
        return Err(PageError::new(
            AppError::BadRequest("the form is not valid UTF-8".into()),
            lang,
        ));
    }
    let values = FormValues::from_pairs(&form);
    let (input, mut errors, item_rows) = values.to_input();
    let mut valid = match intake::validate(&input) {
        Ok(v) if errors.is_empty() => v,
        Ok(_) => return refuse(&req, lang, values, &errors, &item_rows),
        Err(more) => {
            for e in more {
                if !errors.iter().any(|x| x.field == e.field) {
                    errors.push(e);
                }
            }
            return refuse(&req, lang, values, &errors, &item_rows);
        }
    };
    // The form's key identifies one page load; with the content's fingerprint added, a double
    // click or a refresh (same content) files once, while going back and filing something
    // different from the same page files a new request.
    valid.idempotency_key = valid
        .idempotency_key
        .take()
        .map(|k| format!("{k}:{}", content_fingerprint(&input)));
    let (row, _created) = file(&state, valid, Source::Form)
        .await
        .map_err(|e| PageError::new(e, lang))?;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("/filed/{}", row.tracking_token)))
        .finish())
}

/// 16 hex digits of SHA-1 over the request's content (without its key).
fn content_fingerprint(input: &intake::RequestInput) -> String {
    use sha1::{Digest, Sha1};
    let mut content = input.clone();
    content.idempotency_key = None;
    let json = serde_json::to_string(&content).unwrap_or_default();
    Sha1::digest(json.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn refuse(
    req: &HttpRequest,
    lang: crate::i18n::Lang,
    values: FormValues,
    errors: &[crate::intake::FieldError],
    item_rows: &[usize],
) -> Result<HttpResponse, PageError> {
    let page = FormPage::with_errors(Tr::new(lang), values, errors, item_rows);
    view::html(req, StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// `GET /requests` (e.g. the language link on a refused form): back to the form.
async fn back_to_form(req: HttpRequest) -> HttpResponse {
    let query = req.query_string();
    let to = if query.is_empty() {
        "/".to_owned()
    } else {
        format!("/?{query}")
    };
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish()
}

//! Small helpers shared by pages: rendering a template into a response, times in local
//! offset, masking personal data.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};

use super::error::{AppError, PageError};
use super::lang::{lang_cookie, lang_of};
use crate::db::Timestamp;

/// Renders `page` with `status`, remembering a `?lang=` choice.
pub fn html(
    req: &HttpRequest,
    status: StatusCode,
    page: &impl askama::Template,
) -> Result<HttpResponse, PageError> {
    let body = page
        .render()
        .map_err(|e| PageError::new(AppError::from(e), lang_of(req)))?;
    let mut resp = HttpResponse::build(status);
    // Pages hold personal data and one-time form keys: never cache them, nor keep them for
    // the back button.
    resp.content_type("text/html; charset=utf-8")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"));
    if let Some(cookie) = lang_cookie(req) {
        resp.cookie(cookie);
    }
    Ok(resp.body(body))
}

/// `2022-11-29 14:05` in the configured offset.
pub fn local_time(t: Timestamp, offset: chrono::FixedOffset) -> String {
    t.0.with_timezone(&offset)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// `王桂兰` → `王**`: enough for a resident to recognise, not enough for anyone else.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => {
            let rest = chars.count().clamp(1, 3);
            format!("{first}{}", "*".repeat(rest))
        }
        None => String::new(),
    }
}

/// `13945678901` → `139****8901`; short numbers keep only their last two digits.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().collect();
    if digits.len() >= 11 {
        let head: String = digits[..3].iter().collect();
        let tail: String = digits[digits.len() - 4..].iter().collect();
        format!("{head}****{tail}")
    } else if digits.len() > 2 {
        let tail: String = digits[digits.len() - 2..].iter().collect();
        format!("{}{tail}", "*".repeat(digits.len() - 2))
    } else {
        "**".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask_name("王桂兰"), "王**");
        assert_eq!(mask_name("王"), "王*");
        assert_eq!(mask_phone("13945678901"), "139****8901");
        assert_eq!(mask_phone("0451-86123456"), "045****3456");
        assert_eq!(mask_phone("86123456"), "******56");
    }
}

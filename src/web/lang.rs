//! Which language a reader gets. Pages: `?lang=` (remembered in a cookie), else the `lang`
//! cookie, else Chinese — Chinese by default whatever the browser's locale, so that a shared
//! phone or a kiosk shows what the community expects. API messages: `?lang=`, else
//! `Accept-Language`, else Chinese.

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::http::header;

use crate::i18n::Lang;

fn query_lang(req: &HttpRequest) -> Option<Lang> {
    req.query_string()
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == "lang")
        .and_then(|(_, v)| Lang::parse(v))
}

pub fn lang_of(req: &HttpRequest) -> Lang {
    query_lang(req)
        .or_else(|| req.cookie("lang").and_then(|c| Lang::parse(c.value())))
        .unwrap_or_default()
}

/// The language of API messages.
pub fn api_lang_of(req: &HttpRequest) -> Lang {
    query_lang(req)
        .or_else(|| {
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_default()
}

/// The cookie that remembers a choice made with `?lang=`, if one was made.
pub fn lang_cookie(req: &HttpRequest) -> Option<Cookie<'static>> {
    query_lang(req).map(|lang| {
        Cookie::build("lang", lang.code())
            .path("/")
            .max_age(Duration::days(365))
            .same_site(SameSite::Lax)
            .http_only(true)
            .finish()
    })
}

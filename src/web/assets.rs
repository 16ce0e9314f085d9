//! Static files, embedded in the binary so that one binary works anywhere, offline.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

const CSS: &str = include_str!("../../static/doorstep.css");
const ADDRESS_SUGGEST_JS: &str = include_str!("../../static/address-suggest.js");

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/static/doorstep.css", web::get().to(css));
    cfg.route(
        "/static/address-suggest.js",
        web::get().to(address_suggest_js),
    );
}

async fn css() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(CSS)
}

async fn address_suggest_js() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(ADDRESS_SUGGEST_JS)
}

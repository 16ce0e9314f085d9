//! Static files, embedded in the binary so that one binary works anywhere, offline.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

const CSS: &str = include_str!("../../static/doorstep.css");

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/static/doorstep.css", web::get().to(css));
}

async fn css() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(CSS)
}

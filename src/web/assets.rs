//! Static files, embedded in the binary so that one binary works anywhere, offline: the
//! stylesheets, the pages' scripts and the vendored map library (Leaflet, with its licence).

use actix_web::http::header;
use actix_web::{HttpResponse, web};

const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const PNG: &str = "image/png";
const TEXT: &str = "text/plain; charset=utf-8";

/// (path under `/static/`, content type, bytes).
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "doorstep.css",
        CSS,
        include_bytes!("../../static/doorstep.css"),
    ),
    (
        "dispatch.css",
        CSS,
        include_bytes!("../../static/dispatch.css"),
    ),
    (
        "address-suggest.js",
        JS,
        include_bytes!("../../static/address-suggest.js"),
    ),
    ("map.js", JS, include_bytes!("../../static/map.js")),
    ("sheet.js", JS, include_bytes!("../../static/sheet.js")),
    ("board.js", JS, include_bytes!("../../static/board.js")),
    ("zone.js", JS, include_bytes!("../../static/zone.js")),
    (
        "vendor/leaflet/leaflet.js",
        JS,
        include_bytes!("../../static/vendor/leaflet/leaflet.js"),
    ),
    (
        "vendor/leaflet/leaflet.css",
        CSS,
        include_bytes!("../../static/vendor/leaflet/leaflet.css"),
    ),
    (
        "vendor/leaflet/LICENSE",
        TEXT,
        include_bytes!("../../static/vendor/leaflet/LICENSE"),
    ),
    (
        "vendor/leaflet/images/layers.png",
        PNG,
        include_bytes!("../../static/vendor/leaflet/images/layers.png"),
    ),
    (
        "vendor/leaflet/images/layers-2x.png",
        PNG,
        include_bytes!("../../static/vendor/leaflet/images/layers-2x.png"),
    ),
    (
        "vendor/leaflet/images/marker-icon.png",
        PNG,
        include_bytes!("../../static/vendor/leaflet/images/marker-icon.png"),
    ),
    (
        "vendor/leaflet/images/marker-icon-2x.png",
        PNG,
        include_bytes!("../../static/vendor/leaflet/images/marker-icon-2x.png"),
    ),
    (
        "vendor/leaflet/images/marker-shadow.png",
        PNG,
        include_bytes!("../../static/vendor/leaflet/images/marker-shadow.png"),
    ),
];

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/static/{path:.*}", web::get().to(file));
}

async fn file(path: web::Path<String>) -> HttpResponse {
    match FILES.iter().find(|(p, _, _)| *p == path.as_str()) {
        Some((_, content_type, bytes)) => HttpResponse::Ok()
            .content_type(*content_type)
            .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
            .body(*bytes),
        None => HttpResponse::NotFound()
            .content_type(TEXT)
            .body("not found"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_file_is_non_empty_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for (path, _, bytes) in FILES {
            assert!(seen.insert(path), "{path} twice");
            assert!(!bytes.is_empty(), "{path} is empty");
        }
    }
}

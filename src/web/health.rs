//! `/healthz`: the process answers. `/readyz`: the database answers too (503 otherwise), for
//! load balancers in front of several instances.

use actix_web::{HttpResponse, web};

use super::{AppError, AppState};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz));
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let db = state.db.clone();
    web::block(move || db.ping_blocking()).await??;
    Ok(HttpResponse::Ok().content_type("text/plain").body("ready"))
}

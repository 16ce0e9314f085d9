//! The offline map's data: `GET /map/layers?bbox=&zoom=` answers the extract's roads,
//! compounds, buildings and landmarks in view as GeoJSON (see [`crate::mapview`]);
//! `GET /map/zones` the active zones from the database.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::AppState;
use super::auth::AnyStaff;
use super::error::AppError;
use super::lang::lang_of;
use crate::i18n::Lang;
use crate::mapview::View;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/map/layers", web::get().to(layers))
        .route("/map/zones", web::get().to(zones));
}

/// The extract's bounds as `[min_lon, min_lat, max_lon, max_lat]` JSON, for a page's map to
/// start on (`null` without an extract).
pub fn bounds_json(state: &AppState) -> String {
    match &state.map_layers {
        Some(l) => serde_json::json!(l.bounds()).to_string(),
        None => "null".into(),
    }
}

#[derive(Deserialize)]
struct LayerQuery {
    bbox: String,
    zoom: i64,
}

const GEOJSON: &str = "application/geo+json";

async fn layers(
    _staff: AnyStaff,
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<LayerQuery>,
) -> Result<HttpResponse, AppError> {
    let view = View::parse(&q.bbox, q.zoom)
        .map_err(|e| AppError::BadQuery(vec![("bbox".into(), e.to_string())]))?;
    let Some(layers) = state.map_layers.clone() else {
        return Err(AppError::NotFound);
    };
    let english = lang_of(&req) == Lang::En;
    let body = web::block(move || layers.geojson(&view, english)).await?;
    Ok(HttpResponse::Ok()
        .content_type(GEOJSON)
        // The extract does not change while the server runs.
        .insert_header((header::CACHE_CONTROL, "private, max-age=600"))
        .body(body))
}

async fn zones(_staff: AnyStaff, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let rows = state.db.read(|c| crate::db::zones::list(c, false)).await?;
    let features: Vec<serde_json::Value> = rows
        .iter()
        .filter_map(|z| {
            let geometry: serde_json::Value = serde_json::from_str(&z.polygon).ok()?;
            Some(serde_json::json!({
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "id": z.id,
                    "name": z.name,
                    "kind": z.kind,
                    "notes": z.notes,
                    "checkpoint": z.checkpoint_lon.zip(z.checkpoint_lat).map(|(x, y)| [x, y]),
                    "version": z.version,
                }
            }))
        })
        .collect();
    Ok(HttpResponse::Ok()
        .content_type(GEOJSON)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(serde_json::json!({ "type": "FeatureCollection", "features": features })))
}

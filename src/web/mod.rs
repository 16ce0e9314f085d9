//! The web service (actix-web): the resident form and tracking pages, the JSON API under
//! `/api/v1`, health checks and embedded static files. One file per page or action; one
//! error type mapped to HTTP in [`error`].
//!
//! Handlers never call diesel on the async workers: reads go through [`Database::read`],
//! writes through [`Database::write`] (both on blocking threads). Geocoding at intake goes
//! through the optional [`Locator`] in [`AppState`]; it is wired by the geocoder.
//!
//! Every area plugs in with `.configure(...)`: later issues add their pages (route sheets,
//! dispatch board, accounts) the same way in [`configure`].

pub mod api;
mod assets;
pub mod auth;
mod board;
mod confirm;
pub mod error;
mod form;
mod health;
mod intake_submit;
mod lang;
pub(crate) mod map_layers;
pub(crate) mod sheet;
mod track;
mod view;

use std::sync::Arc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{DefaultHeaders, Next};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::FixedOffset;

use crate::db::Database;
use crate::intake::Locator;

pub use error::{AppError, PageError};
pub use lang::{api_lang_of, lang_of};

/// Largest body accepted anywhere (forms and JSON are a few KB).
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;

/// Settings of the web layer.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// The offset in which times are shown to people (default UTC+8).
    pub utc_offset: FixedOffset,
    /// Cookies, proxies and rate limits (see [`auth::AuthSettings`]).
    pub auth: auth::AuthSettings,
    /// How requests become stops and how long planning searches (its `utc_offset` is
    /// replaced by the one above).
    pub dispatch: crate::dispatch::DispatchSettings,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            utc_offset: FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| {
                // +08:00 is a valid offset; this branch exists only to avoid a panic path.
                FixedOffset::east_opt(0).expect("zero offset is valid")
            }),
            auth: auth::AuthSettings::default(),
            dispatch: crate::dispatch::DispatchSettings::default(),
        }
    }
}

/// What the loaded map extract is, for logs and health checks (engines built from it are
/// added by the geocoder and the road network).
#[derive(Clone, Debug)]
pub struct MapInfo {
    pub path: std::path::PathBuf,
    pub bbox: Option<(f64, f64, f64, f64)>,
}

/// Shared by every handler.
pub struct AppState {
    pub db: Arc<Database>,
    /// Geocoding at intake; `None` until a map engine is wired (requests are then stored
    /// with status `new` and no location).
    pub locator: Option<Arc<dyn Locator>>,
    pub map: Option<MapInfo>,
    /// The offline map's base layers, built from the loaded extract (`None` without one).
    pub map_layers: Option<Arc<crate::mapview::MapLayers>>,
    pub config: WebConfig,
    /// Accounts' settings and the public forms' rate limiters.
    pub auth: auth::AuthState,
    /// The loaded extract (geocoder, road network, zones); `None` without `--osm`.
    pub engine: Option<Arc<crate::engine::MapEngine>>,
}

impl AppState {
    pub fn new(db: Arc<Database>) -> Self {
        AppState {
            db,
            locator: None,
            map: None,
            map_layers: None,
            config: WebConfig::default(),
            auth: auth::AuthState::default(),
            engine: None,
        }
    }
}

impl AppState {
    /// Wires a loaded map engine: intake geocodes with it, the map and road API answer from it.
    pub fn with_engine(mut self, engine: Arc<crate::engine::MapEngine>) -> Self {
        let b = engine.map().bounds;
        self.map = Some(MapInfo {
            path: engine.startup().extract.clone(),
            bbox: Some((b.min().x, b.min().y, b.max().x, b.max().y)),
        });
        self.locator = Some(engine.clone());
        self.map_layers = Some(Arc::new(crate::mapview::MapLayers::build(engine.map())));
        self.engine = Some(engine);
        self
    }
}

/// Registers every route, the body limits and the error handlers.
pub fn configure(state: Arc<AppState>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg: &mut web::ServiceConfig| {
        cfg.app_data(web::Data::from(state))
            .app_data(web::PayloadConfig::new(BODY_LIMIT_BYTES))
            .app_data(
                web::FormConfig::default()
                    .limit(BODY_LIMIT_BYTES)
                    .error_handler(form_error),
            )
            .app_data(json_config(BODY_LIMIT_BYTES))
            .app_data(web::QueryConfig::default().error_handler(|e, _| {
                AppError::BadRequest(format!("invalid query string: {e}")).into()
            }))
            .configure(health::routes)
            .configure(assets::routes)
            .configure(form::routes)
            .configure(intake_submit::routes)
            .configure(confirm::routes)
            .configure(track::routes)
            .configure(map_layers::routes)
            .configure(sheet::routes)
            .configure(board::routes)
            .configure(auth::routes)
            .service(web::scope("/api/v1").configure(api::routes))
            .default_service(web::to(not_found));
    }
}

/// Headers on every answer: no framing, no sniffing, no referrer (tracking links carry a
/// secret), scripts and styles only from doorstep itself.
pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::REFERRER_POLICY, "no-referrer"))
        .add((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; form-action 'self'",
        ))
}

/// Logs each request by its route pattern (never the path: tracking tokens are secrets).
pub async fn log_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().clone();
    let res = next.call(req).await?;
    let pattern = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "(unmatched)".into());
    tracing::info!(
        %method,
        route = %pattern,
        status = res.status().as_u16(),
        micros = started.elapsed().as_micros() as u64,
        "request"
    );
    Ok(res)
}

/// Runs the server until it is stopped (Ctrl-C / SIGTERM).
pub async fn serve(state: Arc<AppState>, listen: &str) -> std::io::Result<()> {
    let listener = std::net::TcpListener::bind(listen)?;
    server(state, listener, None)?.await
}

/// The app exactly as [`serve`] runs it (CSRF, request log, security headers, every route),
/// on a listener already bound: the browser tests start it on a free loopback port.
/// `workers`: `None` for one per core.
pub fn server(
    state: Arc<AppState>,
    listener: std::net::TcpListener,
    workers: Option<usize>,
) -> std::io::Result<actix_web::dev::Server> {
    let mut server = actix_web::HttpServer::new(move || {
        actix_web::App::new()
            .wrap(actix_web::middleware::from_fn(auth::csrf_forms))
            .wrap(actix_web::middleware::from_fn(log_requests))
            .wrap(security_headers())
            .configure(configure(state.clone()))
    })
    .shutdown_timeout(5);
    if let Some(n) = workers {
        server = server.workers(n);
    }
    Ok(server.listen(listener)?.run())
}

async fn not_found(req: HttpRequest) -> Result<HttpResponse, actix_web::Error> {
    if req.path().starts_with("/api/") {
        Err(AppError::NotFound.into())
    } else {
        Err(PageError::new(AppError::NotFound, lang_of(&req)).into())
    }
}

/// JSON bodies: `application/json` (or `+json`) up to `limit` bytes, errors as problems.
pub(crate) fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .content_type_required(true)
        .content_type(|mime| {
            mime.type_() == actix_web::mime::APPLICATION
                && (mime.subtype() == actix_web::mime::JSON
                    || mime.suffix() == Some(actix_web::mime::JSON))
        })
        .error_handler(json_error)
}

fn json_error(err: actix_web::error::JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as E;
    let e = match &err {
        E::OverflowKnownLength { limit, .. } | E::Overflow { limit } => {
            AppError::PayloadTooLarge(*limit)
        }
        E::ContentType => {
            AppError::UnsupportedMediaType("send the body as application/json".into())
        }
        E::Deserialize(e) => AppError::BadRequest(format!("malformed JSON: {e}")),
        other => AppError::BadRequest(format!("unreadable body: {other}")),
    };
    e.into()
}

fn form_error(err: actix_web::error::UrlencodedError, req: &HttpRequest) -> actix_web::Error {
    use actix_web::error::UrlencodedError as E;
    let e = match &err {
        E::Overflow { limit, .. } => AppError::PayloadTooLarge(*limit),
        E::ContentType => AppError::UnsupportedMediaType(
            "send the form as application/x-www-form-urlencoded".into(),
        ),
        other => AppError::BadRequest(format!("unreadable form: {other}")),
    };
    PageError::new(e, lang_of(req)).into()
}

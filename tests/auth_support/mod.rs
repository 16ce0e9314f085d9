//! Helpers of the accounts tests: a seeded district, accounts, signing in through the real
//! login page, reading a page's CSRF token.

#![allow(dead_code)]

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::test;
use doorstep::auth::Role;
use doorstep::auth::accounts::{self, NewUser};
use doorstep::db::Database;
use doorstep::db::squads::SquadRow;
use std::sync::Arc;

use actix_web::{HttpResponse, web};
use doorstep::auth::throttle::Rate;
use doorstep::web::AppState;
use doorstep::web::auth::{AnyStaff, AuthSettings, AuthState, Coordinator, SquadMember};

/// A password good enough for the policy.
pub const PASSWORD: &str = "correct horse battery";

/// Loads the bundled seed (squads, zones, requests); returns the squads.
pub fn seed(db: &Database) -> Vec<SquadRow> {
    off_runtime(|| {
        let seed = doorstep::sample::embedded_seed().unwrap();
        doorstep::service::demo::load_seed(db, &seed).unwrap();
        db.read_blocking(|c| doorstep::db::squads::list(c, false))
            .unwrap()
    })
}

/// Runs blocking database code from an async test (the SQLite writer's blocking calls must
/// not run on the test's runtime thread).
pub fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| s.spawn(f).join().unwrap())
}

/// Creates an account with [`PASSWORD`].
pub fn add_user(db: &Database, username: &str, role: Role, squad: Option<&SquadRow>) {
    let username = username.to_owned();
    let squad_id = squad.map(|s| s.id);
    off_runtime(|| {
        db.write_blocking(move |c| {
            accounts::add_user(
                c,
                &NewUser {
                    username: &username,
                    display_name: &username,
                    password: PASSWORD,
                    role,
                    squad_id,
                },
                "test",
            )
            .map_err(|e| doorstep::db::DbError::Query(e.to_string()))
        })
    })
    .unwrap();
}

pub async fn body_text<B: MessageBody>(resp: ServiceResponse<B>) -> String {
    let bytes = test::read_body(resp).await;
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The value of the first `name="csrf_token"` field on a page.
pub fn csrf_in(html: &str) -> String {
    html.split(r#"name="csrf_token" value=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_default()
        .to_owned()
}

/// `name=value` of the cookie `name` set by a response, if any.
pub fn set_cookie<B>(resp: &ServiceResponse<B>, name: &str) -> Option<String> {
    resp.response()
        .cookies()
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// A signed-in browser: its session cookie and the session's CSRF token.
#[derive(Clone, Debug)]
pub struct Browser {
    pub session: String,
    pub csrf: String,
}

impl Browser {
    pub fn cookie(&self) -> (&'static str, String) {
        ("Cookie", format!("doorstep_session={}", self.session))
    }
}

/// Posts the login form (after loading it, as a browser does). Returns the response.
pub async fn post_login<S, B>(app: &S, username: &str, password: &str) -> ServiceResponse<B>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let page = test::call_service(app, test::TestRequest::get().uri("/login").to_request()).await;
    assert_eq!(page.status(), StatusCode::OK);
    let form_cookie = set_cookie(&page, "doorstep_login").unwrap();
    let html = body_text(page).await;
    let csrf = csrf_in(&html);
    assert!(!csrf.is_empty());
    test::call_service(
        app,
        test::TestRequest::post()
            .uri("/login")
            .insert_header(("Cookie", format!("doorstep_login={form_cookie}")))
            .set_form([
                ("username", username),
                ("password", password),
                ("csrf_token", csrf.as_str()),
                ("next", ""),
            ])
            .to_request(),
    )
    .await
}

/// Signs in and reads the session's CSRF token from the account page.
pub async fn sign_in<S, B>(app: &S, username: &str) -> Browser
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let resp = post_login(app, username, PASSWORD).await;
    assert_eq!(
        resp.status(),
        StatusCode::SEE_OTHER,
        "sign-in of {username}"
    );
    let session = set_cookie(&resp, "doorstep_session").unwrap();
    let b = Browser {
        session,
        csrf: String::new(),
    };
    let page = test::call_service(
        app,
        test::TestRequest::get()
            .uri("/account")
            .insert_header(b.cookie())
            .to_request(),
    )
    .await;
    assert_eq!(page.status(), StatusCode::OK);
    let csrf = csrf_in(&body_text(page).await);
    Browser { csrf, ..b }
}

// The app under test: the real routes plus a few guarded by each extractor.

pub fn state(t: &crate::common::TestDb) -> Arc<AppState> {
    let mut s = AppState::new(t.db.clone());
    s.auth = AuthState::new(AuthSettings {
        login_rate: Rate::OFF,
        ..AuthSettings::default()
    });
    Arc::new(s)
}

pub async fn coord_page(Coordinator(p): Coordinator) -> HttpResponse {
    HttpResponse::Ok().body(format!("coordinator {}", p.actor()))
}

pub async fn coord_form(
    Coordinator(_): Coordinator,
    form: web::Form<Vec<(String, String)>>,
) -> HttpResponse {
    let x = form
        .iter()
        .find(|(k, _)| k == "x")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    HttpResponse::Ok().body(format!("changed {x}"))
}

pub async fn squad_page(m: SquadMember) -> HttpResponse {
    HttpResponse::Ok().body(format!("squad {}", m.squad_id))
}

pub async fn staff_api(AnyStaff(p): AnyStaff) -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "actor": p.actor(), "role": p.role }))
}

#[macro_export]
macro_rules! app {
    ($state:expr) => {
        actix_web::test::init_service(
            actix_web::App::new()
                .wrap(actix_web::middleware::from_fn(
                    doorstep::web::auth::csrf_forms,
                ))
                .wrap(doorstep::web::security_headers())
                .configure(doorstep::web::configure($state.clone()))
                .route(
                    "/test/coord",
                    actix_web::web::get().to($crate::auth_support::coord_page),
                )
                .route(
                    "/test/coord",
                    actix_web::web::post().to($crate::auth_support::coord_form),
                )
                .route(
                    "/test/squad",
                    actix_web::web::get().to($crate::auth_support::squad_page),
                )
                .route(
                    "/api/test/staff",
                    actix_web::web::get().to($crate::auth_support::staff_api),
                )
                .route(
                    "/api/test/staff",
                    actix_web::web::post().to($crate::auth_support::staff_api),
                ),
        )
        .await
    };
}

/// Today's plan for `squad` with one stop per request (labels `label-N`), as the optimizer
/// would store it; returns the stops' ids.
pub fn plan_for(
    db: &Database,
    squad: &SquadRow,
    requests: &[doorstep::domain::RequestId],
    label: &str,
) -> Vec<doorstep::domain::StopId> {
    use doorstep::db::Timestamp;
    use doorstep::db::plans::{PlanRow, StopRow};
    use doorstep::domain::{PlanId, PlanStatus, StopId, StopStatus};
    let now = Timestamp::now();
    let offset = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    let plan = PlanRow {
        id: PlanId::generate(),
        squad_id: squad.id,
        shift_date: chrono::Utc::now().with_timezone(&offset).date_naive(),
        starts_at: now,
        ends_at: now,
        status: PlanStatus::Active,
        distance_m: 100.0,
        duration_s: 600.0,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let stops: Vec<(StopRow, Vec<doorstep::domain::RequestId>)> = requests
        .iter()
        .enumerate()
        .map(|(i, r)| {
            (
                StopRow {
                    id: StopId::generate(),
                    plan_id: plan.id,
                    seq: i as i32,
                    label: format!("{label}-{i}"),
                    lon: 126.65,
                    lat: 45.75,
                    zone_id: None,
                    planned_arrival: Some(now),
                    service_s: 120.0,
                    leg_distance_m: Some(100.0),
                    leg_duration_s: Some(60.0),
                    pinned: false,
                    status: StopStatus::Pending,
                    failure_reason: None,
                    proof_note: String::new(),
                    completed_at: None,
                    updated_at: now,
                    version: 1,
                },
                vec![*r],
            )
        })
        .collect();
    let ids = stops.iter().map(|(s, _)| s.id).collect();
    off_runtime(|| {
        db.write_blocking(move |c| doorstep::db::plans::insert_plan_as(c, &plan, &stops, "test"))
    })
    .unwrap();
    ids
}

/// Files `input` through the library (as the form would) and returns the stored row.
pub fn file(
    db: &Database,
    input: &doorstep::intake::RequestInput,
) -> doorstep::db::requests::RequestRow {
    let valid = doorstep::intake::validate(input).unwrap();
    off_runtime(|| {
        db.write_blocking(move |c| {
            doorstep::intake::file_blocking(
                c,
                &valid,
                None,
                doorstep::domain::Source::Api,
                "resident",
            )
        })
    })
    .unwrap()
    .0
}

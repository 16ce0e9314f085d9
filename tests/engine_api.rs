//! Geocoding at intake and the map API (geocode, suggest, route, matrix), in-process, on the
//! sample district.

mod common;

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{App, test};
use common::{TestDb, sample_input};
use doorstep::engine::{EngineOptions, MapEngine};
use doorstep::web::{AppState, configure};
use serde_json::{Value, json};

fn engine(t: &TestDb, dir: &std::path::Path, review_below: f64) -> Arc<MapEngine> {
    let pbf = dir.join("sample.osm.pbf");
    std::fs::write(&pbf, doorstep::sample::EMBEDDED_PBF).unwrap();
    let mut options = EngineOptions::new(&pbf);
    options.review_below = review_below;
    Arc::new(MapEngine::open_with_db(&options, &t.db).unwrap())
}

/// The seed's squads and zones (and its requests, unlocated) in the database. On a thread of
/// its own: the SQLite writer is waited on by blocking, which a test's runtime forbids.
fn seeded(t: &TestDb) {
    let db = t.db.clone();
    std::thread::spawn(move || {
        let seed = doorstep::sample::embedded_seed().unwrap();
        doorstep::service::demo::load_seed(&db, &seed).unwrap();
    })
    .join()
    .unwrap();
}

macro_rules! app {
    ($state:expr) => {
        test::init_service(App::new().configure(configure(Arc::new($state)))).await
    };
}

async fn file(
    app: &impl actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse,
        Error = actix_web::Error,
    >,
    address: &str,
) -> Value {
    let mut input = sample_input();
    input.address = address.into();
    let resp = test::call_service(
        app,
        test::TestRequest::post()
            .uri("/api/v1/requests")
            .set_json(&input)
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    test::read_body_json(resp).await
}

#[actix_web::test]
async fn a_filed_request_is_located_with_its_zone_and_community() {
    let t = TestDb::new();
    seeded(&t);
    let dir = tempfile::tempdir().unwrap();
    let app = app!(AppState::new(t.db.clone()).with_engine(engine(&t, dir.path(), 0.6)));

    let r = file(&app, "鸿翔名苑3栋2单元501").await;
    assert_eq!(r["status"], "new", "{r}");
    assert_eq!(r["location"]["match_level"], "building");
    assert!(r["location"]["confidence"].as_f64().unwrap() >= 0.6);
    assert_eq!(r["community"], "鸿翔社区");
    // 鸿翔名苑 is the seed's controlled zone.
    assert!(r["zone_id"].is_string(), "{r}");

    // Inside the high-risk zone (巴山小区, Bashan Street No. 32).
    let r = file(&app, "巴山小区 2号楼 3单元 201室").await;
    let zones =
        t.db.read_blocking(|c| doorstep::db::zones::list(c, false))
            .unwrap();
    let high_risk = zones
        .iter()
        .find(|z| z.kind == doorstep::domain::ZoneKind::HighRisk)
        .unwrap();
    assert_eq!(r["zone_id"], high_risk.id.to_string(), "{r}");

    // Nowhere: needs review, no position.
    let r = file(&app, "火星基地99号").await;
    assert_eq!(r["status"], "needs_review", "{r}");
    assert!(r["location"].is_null());
}

#[actix_web::test]
async fn below_the_threshold_a_request_goes_to_review_with_its_candidates() {
    let t = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    // Building matches score 0.95: a threshold above that sends them to review.
    let app = app!(AppState::new(t.db.clone()).with_engine(engine(&t, dir.path(), 0.96)));
    let r = file(&app, "鸿翔名苑3栋2单元501").await;
    assert_eq!(r["status"], "needs_review", "{r}");
    let id: doorstep::domain::RequestId = r["id"].as_str().unwrap().parse().unwrap();
    let row =
        t.db.read_blocking(move |c| doorstep::db::requests::get(c, id))
            .unwrap();
    let candidates: Vec<Value> =
        serde_json::from_str(row.geocode_candidates.as_deref().unwrap()).unwrap();
    assert!(!candidates.is_empty());
    assert!(
        candidates[0]["name"].as_str().unwrap().contains("鸿翔名苑"),
        "{candidates:?}"
    );
    assert!(candidates[0]["confidence"].as_f64().unwrap() < 0.96);
    // The best guess is kept as the provisional position.
    assert!(row.lon.is_some() && !row.location_confirmed);
}

#[actix_web::test]
async fn geocode_and_suggest_answer_for_any_client() {
    let t = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let app = app!(AppState::new(t.db.clone()).with_engine(engine(&t, dir.path(), 0.6)));
    let get = |uri: &str| test::TestRequest::get().uri(uri).to_request();

    let resp = test::call_service(
        &app,
        get("/api/v1/geocode?q=%E5%B7%B4%E5%B1%B1%E8%A1%9732%E5%8F%B7"),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let a: Value = test::read_body_json(resp).await;
    assert_eq!(a["query"], "巴山街32号");
    assert!(a["best"]["name"].as_str().unwrap().contains("巴山街"));
    assert_eq!(a["needs_review"], false);

    let resp = test::call_service(&app, get("/api/v1/geocode/suggest?q=%E9%B8%BF%E7%BF%94")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let s: Value = test::read_body_json(resp).await;
    let names: Vec<&str> = s["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"鸿翔名苑"), "{names:?}");
    assert!(names.len() <= 10);

    for (uri, field) in [
        ("/api/v1/geocode", "q"),
        ("/api/v1/geocode?q=%20", "q"),
        ("/api/v1/geocode/suggest?q=a&limit=99", "limit"),
    ] {
        let resp = test::call_service(&app, get(uri)).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{uri}");
        let p: Value = test::read_body_json(resp).await;
        assert_eq!(p["errors"][0]["field"], field, "{p}");
    }
    let long = "街".repeat(200);
    let resp = test::call_service(
        &app,
        get(&format!("/api/v1/geocode?q={}", urlencode(&long))),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[actix_web::test]
async fn without_a_map_the_map_api_says_so() {
    let t = TestDb::new();
    let app = app!(AppState::new(t.db.clone()));
    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/api/v1/geocode?q=x")
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    let p: Value = test::read_body_json(resp).await;
    assert_eq!(p["type"], "urn:doorstep:problem:no-map");
}

#[actix_web::test]
async fn routes_and_matrices_come_from_the_road_network() {
    let t = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&t, dir.path(), 0.6);
    let a = engine.locate_text("鸿翔名苑3栋").best.unwrap();
    let b = engine.locate_text("翠湖苑6号楼").best.unwrap();
    let app = app!(AppState::new(t.db.clone()).with_engine(engine));
    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri(&format!(
                "/api/v1/route?from={},{}&to={},{}&mode=foot",
                a.lon, a.lat, b.lon, b.lat
            ))
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let r: Value = test::read_body_json(resp).await;
    assert_eq!(r["geometry"]["type"], "LineString");
    assert!(r["distance_m"].as_f64().unwrap() > 0.0);
    assert!(!r["steps"].as_array().unwrap().is_empty());
    assert!(r["steps"][0]["instruction_zh"].is_string());

    // A point off the map: the field is named, the distance said.
    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/route?from=10,10&to={},{}", b.lon, b.lat))
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let p: Value = test::read_body_json(resp).await;
    assert_eq!(p["errors"][0]["field"], "from", "{p}");
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("outside")
    );

    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/matrix")
            .set_json(json!({"mode": "tricycle", "sources": [[a.lon, a.lat], [b.lon, b.lat]]}))
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let m: Value = test::read_body_json(resp).await;
    assert_eq!(m["durations_s"].as_array().unwrap().len(), 2);
    assert!(m["durations_s"][0][1].as_f64().unwrap() > 0.0);

    // 100,000 points: the road module's limit, not a bare 413.
    let points: Vec<[f64; 2]> = (0..100_000)
        .map(|i| [a.lon + (i % 100) as f64 * 1e-5, a.lat])
        .collect();
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/matrix")
            .set_json(json!({ "sources": points }))
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p: Value = test::read_body_json(resp).await;
    let message = p["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("limit is"), "{message}");
}

#[actix_web::test]
async fn the_form_offers_completions_and_works_without_them() {
    let t = TestDb::new();
    let app = app!(AppState::new(t.db.clone()));
    let resp = test::call_service(&app, test::TestRequest::get().uri("/").to_request()).await;
    let html = String::from_utf8(test::read_body(resp).await.to_vec()).unwrap();
    assert!(html.contains("/static/address-suggest.js"));
    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/static/address-suggest.js")
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let js = String::from_utf8(test::read_body(resp).await.to_vec()).unwrap();
    assert!(js.contains("/api/v1/geocode/suggest"));
    // Suggestions are inserted as values, never as markup.
    assert!(!js.contains("innerHTML"));
}

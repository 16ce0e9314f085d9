//! The public form's protections (rate limits, honeypot, no token enumeration, field limits)
//! and the audit trail coordinators read per request (board page and API).

mod auth_support;
mod common;

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::test;
use auth_support::{add_user, body_text, sign_in};
use common::{TestDb, sample_input};
use doorstep::auth::Role;
use doorstep::auth::throttle::Rate;
use doorstep::db::requests;
use doorstep::web::AppState;
use doorstep::web::auth::{AuthSettings, AuthState};
use serde_json::Value;

fn limited(t: &TestDb, intake: Rate, track: Rate) -> Arc<AppState> {
    let mut s = AppState::new(t.db.clone());
    s.auth = AuthState::new(AuthSettings {
        login_rate: Rate::OFF,
        intake_rate: intake,
        track_rate: track,
        ..AuthSettings::default()
    });
    Arc::new(s)
}

fn count(t: &TestDb) -> i64 {
    auth_support::off_runtime(|| t.db.read_blocking(|c| requests::count(c, None)).unwrap())
}

fn form(key: &str, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = [
        ("idempotency_key", key),
        ("resident_name", "王桂兰"),
        ("phone", "139 4567 8901"),
        ("household_size", "2"),
        ("address", "鸿翔名苑3栋2单元501"),
        ("category", "food"),
        ("item_name_0", "大米"),
        ("item_quantity_0", "1"),
        ("urgency", "normal"),
        ("filed_by", "resident"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    f.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    f
}

#[actix_web::test]
async fn filing_too_often_says_when_to_try_again_on_the_form_and_in_the_api() {
    let t = TestDb::new();
    let app = app!(limited(&t, Rate::per_minute(2, 2), Rate::OFF));
    for i in 0..2 {
        let resp = test::call_service(
            &app,
            test::TestRequest::post()
                .uri("/requests")
                .set_form(form(&format!("form-k{i}"), &[]))
                .to_request(),
        )
        .await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "filing {i}");
    }
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/requests?lang=en")
            .set_form(form("form-k3", &[]))
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = resp
        .headers()
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&retry), "{retry}");
    let html = body_text(resp).await;
    assert!(html.contains(&format!("try again in {retry} s")), "{html}");
    // The API shares the client's budget: a problem with Retry-After.
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/requests")
            .set_json(sample_input())
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().contains_key("retry-after"));
    assert_eq!(
        resp.headers().get("content-type").unwrap(),
        "application/problem+json"
    );
    let p: Value = test::read_body_json(resp).await;
    assert_eq!(p["type"], "urn:doorstep:problem:rate-limited");
    assert!(p["detail"].as_str().unwrap().starts_with("Try again in "));
    assert_eq!(count(&t), 2, "refused filings store nothing");
}

#[actix_web::test]
async fn a_bot_filling_the_honeypot_is_refused_quietly_and_nothing_is_stored() {
    let t = TestDb::new();
    let app = app!(limited(&t, Rate::OFF, Rate::OFF));
    let page = test::call_service(&app, test::TestRequest::get().uri("/").to_request()).await;
    let html = body_text(page).await;
    assert!(
        html.contains(r#"name="homepage""#),
        "the form has the honeypot"
    );
    assert!(html.contains(r#"class="hp" aria-hidden="true""#));
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/requests")
            .set_form(form("form-bot", &[("homepage", "http://spam.example")]))
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        resp.headers().get("location").unwrap(),
        "/",
        "no hint that it was caught"
    );
    assert_eq!(count(&t), 0);
    // A person leaves it empty and files as usual.
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/requests")
            .set_form(form("form-person", &[("homepage", "")]))
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(
        resp.headers()
            .get("location")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("/filed/")
    );
    assert_eq!(count(&t), 1);
}

#[actix_web::test]
async fn unknown_and_malformed_tracking_tokens_get_one_answer_and_guessing_is_slowed() {
    let t = TestDb::new();
    let app = app!(limited(&t, Rate::OFF, Rate::per_minute(6, 6)));
    let unknown = "A".repeat(22);
    let mut bodies = Vec::new();
    for path in [
        format!("/t/{unknown}"),
        "/t/short".to_string(),
        "/t/%27%20OR%201%3D1--".to_string(),
        format!("/filed/{unknown}"),
    ] {
        let resp = test::call_service(&app, test::TestRequest::get().uri(&path).to_request()).await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
        bodies.push(body_text(resp).await);
    }
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "every miss reads the same"
    );
    let mut limited_after = None;
    for i in 0..10 {
        let resp = test::call_service(
            &app,
            test::TestRequest::get()
                .uri(&format!("/t/{}", "B".repeat(22)))
                .to_request(),
        )
        .await;
        if resp.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(resp.headers().contains_key("retry-after"));
            limited_after = Some(i);
            break;
        }
    }
    assert_eq!(limited_after, Some(2), "6 per client, 4 used above");
}

#[actix_web::test]
async fn oversized_fields_are_refused_beside_the_field() {
    let t = TestDb::new();
    let app = app!(limited(&t, Rate::OFF, Rate::OFF));
    let long_name = "王".repeat(200);
    let long_notes = "x".repeat(5000);
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/requests?lang=en")
            .set_form(form(
                "form-long",
                &[("resident_name", &long_name), ("notes", &long_notes)],
            ))
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body_text(resp).await;
    assert!(html.contains(r#"id="resident_name-error""#), "{html}");
    assert!(html.contains(r#"id="notes-error""#));
    let mut input = sample_input();
    input.address = "路".repeat(1000);
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/requests")
            .set_json(&input)
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p: Value = test::read_body_json(resp).await;
    assert_eq!(p["errors"][0]["field"], "address");
    assert_eq!(p["errors"][0]["code"], "too_long");
    // The whole body past 64 KiB: 413, nothing read.
    let huge = form("form-huge", &[("notes", &"y".repeat(70 * 1024))]);
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/requests")
            .set_form(huge)
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(count(&t), 0);
}

#[actix_web::test]
async fn coordinators_read_a_requests_history_in_the_api_and_on_the_board() {
    let t = TestDb::new();
    let squads = auth_support::seed(&t.db);
    add_user(&t.db, "zhaoyun", Role::Coordinator, None);
    add_user(&t.db, "squadli", Role::SquadMember, Some(&squads[0]));
    let app = app!(limited(&t, Rate::OFF, Rate::OFF));
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/requests")
            .set_json(sample_input())
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let filed: Value = test::read_body_json(resp).await;
    let id = filed["id"].as_str().unwrap().to_owned();
    let version = filed["version"].as_i64().unwrap();
    let events_uri = format!("/api/v1/requests/{id}/events");

    let anon =
        test::call_service(&app, test::TestRequest::get().uri(&events_uri).to_request()).await;
    assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);
    let li = sign_in(&app, "squadli").await;
    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri(&events_uri)
            .insert_header(li.cookie())
            .to_request(),
    )
    .await;
    assert_eq!(
        resp.status(),
        StatusCode::FORBIDDEN,
        "squads do not read the log"
    );

    let request_id: doorstep::domain::RequestId = id.parse().unwrap();
    auth_support::plan_for(&t.db, &squads[0], &[request_id], "route");
    let zhao = sign_in(&app, "zhaoyun").await;
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri(&format!("/coord/requests/{id}/urgency"))
            .insert_header(zhao.cookie())
            .set_form([
                ("urgency", "extremely_urgent".to_string()),
                ("version", version.to_string()),
                ("csrf_token", zhao.csrf.clone()),
            ])
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri(&events_uri)
            .insert_header(zhao.cookie())
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let list: Value = test::read_body_json(resp).await;
    let events = list["events"].as_array().unwrap();
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["request.filed", "stop.planned", "request.urgency"]
    );
    assert_eq!(events[0]["actor"], "resident");
    assert_eq!(events[1]["actor"], "test");
    assert_eq!(events[1]["entity_kind"], "stop");
    assert_eq!(events[1]["details"]["label"], "route-0");
    assert_eq!(events[2]["actor"], "user:zhaoyun");
    assert_eq!(events[2]["details"]["to"], "extremely_urgent");
    assert!(events[2]["at"].as_str().unwrap().ends_with('Z'));

    let missing = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/api/v1/requests/0190c4d2-0000-7000-8000-000000000000/events")
            .insert_header(zhao.cookie())
            .to_request(),
    )
    .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    for (lang, filed, changed) in [
        ("zh", "排入路线", "修改紧急程度"),
        ("en", "put on a route", "urgency changed"),
    ] {
        let resp = test::call_service(
            &app,
            test::TestRequest::get()
                .uri(&format!("/coord/requests/{id}?lang={lang}"))
                .insert_header(zhao.cookie())
                .to_request(),
        )
        .await;
        assert_eq!(resp.status(), StatusCode::OK);
        let html = body_text(resp).await;
        assert!(
            html.contains(filed) && html.contains(changed),
            "{lang}: {html}"
        );
        assert!(html.contains("user:zhaoyun"));
    }
}

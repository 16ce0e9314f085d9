//! Dispatch through the web: the plans API (auth, problem details, a stale move is a 409 with
//! the current state) and the board's forms (a move without JavaScript, the JSON the board's
//! script reads, re-planning a squad and the district, the unserved shown with the reason).

#[macro_use]
mod auth_support;
mod common;
mod dispatch_support;

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::test;
use auth_support::*;
use common::{TestDb, coordinator_bearer};
use dispatch_support::{seeded, tomorrow};
use doorstep::auth::Role;
use doorstep::auth::throttle::Rate;
use doorstep::web::AppState;
use doorstep::web::auth::{AuthSettings, AuthState};
use serde_json::{Value, json};

fn state_with(t: &TestDb, engine: Option<Arc<doorstep::engine::MapEngine>>) -> Arc<AppState> {
    let mut s = AppState::new(t.db.clone());
    s.auth = AuthState::new(AuthSettings {
        login_rate: Rate::OFF,
        ..AuthSettings::default()
    });
    if let Some(e) = engine {
        s = s.with_engine(e);
    }
    Arc::new(s)
}

#[actix_web::test]
async fn the_plans_api_needs_a_coordinator_and_a_map() {
    let t = TestDb::new();
    let state = state_with(&t, None);
    let app = app!(state);
    let id = "00000000-0000-4000-8000-000000000000";
    for (post, uri) in [
        (true, "/api/v1/plans".to_owned()),
        (false, "/api/v1/plans".to_owned()),
        (true, format!("/api/v1/stops/{id}/reassign")),
        (true, format!("/api/v1/plans/{id}/reoptimize")),
    ] {
        let req = if post {
            test::TestRequest::post()
                .uri(&uri)
                .set_json(json!({ "squad_id": id, "version": 1 }))
        } else {
            test::TestRequest::get().uri(&uri)
        };
        let resp = test::call_service(&app, req.to_request()).await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{uri}");
        assert_eq!(
            resp.headers().get("content-type").unwrap(),
            "application/problem+json"
        );
    }
    // A coordinator's token, but no map: planning says so.
    let bearer = coordinator_bearer(&t.db);
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/plans")
            .insert_header(bearer.clone())
            .set_json(json!({}))
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    let p: Value = test::read_body_json(resp).await;
    assert_eq!(p["type"], "urn:doorstep:problem:no-map");
    // Bad fields are named.
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/plans")
            .insert_header(bearer)
            .set_json(json!({ "date": "29/11/2022", "time_limit_s": -1 }))
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p: Value = test::read_body_json(resp).await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["date", "time_limit_s"]);
}

#[actix_web::test]
async fn plans_are_produced_listed_and_a_stale_move_is_a_conflict() {
    let t = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let engine = off_runtime(|| seeded(&t.db, dir.path()));
    let app = app!(state_with(&t, Some(engine)));
    let bearer = coordinator_bearer(&t.db);
    let (date, _) = tomorrow();
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/plans")
            .insert_header(bearer.clone())
            .set_json(json!({ "date": date.to_string(), "time_limit_s": 0.5 }))
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let day: Value = test::read_body_json(resp).await;
    let plans = day["plans"].as_array().unwrap();
    assert!(plans.len() >= 3, "{day}");
    assert!(day["run"]["served_stops"].as_u64().unwrap() > 0);

    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/v1/plans?date={date}"))
            .insert_header(bearer.clone())
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let listed: Value = test::read_body_json(resp).await;
    assert_eq!(listed["plans"], day["plans"]);

    // Move a building stop of a squad with two or more stops.
    let from = plans
        .iter()
        .find(|p| p["stops"].as_array().unwrap().len() >= 2)
        .unwrap();
    let stop = from["stops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| !s["label"].as_str().unwrap().contains("卡口"))
        .unwrap();
    let mut moved = None;
    for to in plans.iter().filter(|p| p["squad_id"] != from["squad_id"]) {
        let resp = test::call_service(
            &app,
            test::TestRequest::post()
                .uri(&format!(
                    "/api/v1/stops/{}/reassign",
                    stop["id"].as_str().unwrap()
                ))
                .insert_header(bearer.clone())
                .set_json(json!({ "squad_id": to["squad_id"], "version": stop["version"] }))
                .to_request(),
        )
        .await;
        if resp.status() == StatusCode::OK {
            moved = Some(test::read_body_json::<Value, _>(resp).await);
            break;
        }
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let moved = moved.expect("some squad takes the stop");
    assert!(moved["to"]["delta_duration_s"].as_f64().is_some());
    assert!(moved["from"]["delta_distance_m"].as_f64().is_some());

    // The same version again: someone else's move won; the answer shows the stop as it is.
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri(&format!(
                "/api/v1/stops/{}/reassign",
                stop["id"].as_str().unwrap()
            ))
            .insert_header(bearer.clone())
            .set_json(json!({ "squad_id": from["squad_id"], "version": stop["version"] }))
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    let p: Value = test::read_body_json(resp).await;
    assert_eq!(p["current"]["squad_id"], moved["to"]["squad_id"]);

    // Re-optimizing a plan, with a stale version and then without.
    let plan_id = moved["to"]["plan_id"].as_str().unwrap();
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri(&format!("/api/v1/plans/{plan_id}/reoptimize"))
            .insert_header(bearer.clone())
            .set_json(json!({ "version": 1 }))
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri(&format!("/api/v1/plans/{plan_id}/reoptimize"))
            .insert_header(bearer)
            .set_json(json!({}))
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
}

#[actix_web::test]
async fn the_board_moves_a_stop_without_javascript_and_shows_why_requests_are_unserved() {
    let t = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let engine = off_runtime(|| seeded(&t.db, dir.path()));
    // Nobody has protective gear: the high-risk zone's requests are left out, with why.
    off_runtime(|| {
        t.db.write_blocking(|c| {
            use diesel::prelude::*;
            use doorstep::db::schema::squads;
            doorstep::on_conn!(c, c => diesel::update(squads::table).set(squads::skills.eq("[]")).execute(c))?;
            Ok(())
        })
        .unwrap()
    });
    add_user(&t.db, "wang", Role::Coordinator, None);
    let app = app!(state_with(&t, Some(engine)));
    let b = sign_in(&app, "wang").await;
    let (date, _) = tomorrow();

    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/coord/replan")
            .insert_header(b.cookie())
            .set_form([("csrf_token", b.csrf.as_str()), ("date", &date.to_string())])
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let to = resp
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        to.starts_with(&format!("/coord?date={date}&done=replanned")),
        "{to}"
    );

    let page = test::call_service(
        &app,
        test::TestRequest::get()
            .uri(&format!("/coord?date={date}&lang=en"))
            .insert_header(b.cookie())
            .to_request(),
    )
    .await;
    let html = body_text(page).await;
    assert!(html.contains("Not planned"), "the unserved section");
    assert!(
        html.contains("no squad has the required skill"),
        "with the reason"
    );

    // The board's data carries the reasons too.
    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri(&format!("/coord/board.json?date={date}"))
            .insert_header(b.cookie())
            .to_request(),
    )
    .await;
    let board: Value = test::read_body_json(resp).await;
    let unserved = board["unserved"].as_array().unwrap();
    assert!(!unserved.is_empty());
    assert!(unserved.iter().all(|u| u[2] == "no_squad_with_skill"));

    // A move by the plain form: back to the squad's page with the change in words.
    let squads = board["squads"].as_array().unwrap();
    let from = squads
        .iter()
        .find(|s| s["stops"].as_array().unwrap().len() >= 2)
        .unwrap();
    let stop = &from["stops"][0];
    let mut done = None;
    for to in squads.iter().filter(|s| s["id"] != from["id"]) {
        let resp = test::call_service(
            &app,
            test::TestRequest::post()
                .uri(&format!(
                    "/coord/stops/{}/reassign",
                    stop[0].as_str().unwrap()
                ))
                .insert_header(b.cookie())
                .set_form([
                    ("csrf_token", b.csrf.as_str()),
                    ("to_squad", to["id"].as_str().unwrap()),
                    ("version", &stop[7].to_string()),
                ])
                .to_request(),
        )
        .await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let loc = resp
            .headers()
            .get("location")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        if loc.contains("done=moved") {
            done = Some(loc);
            break;
        }
        assert!(loc.contains("done=refused"), "{loc}");
    }
    let loc = done.expect("some squad takes the stop");
    assert!(
        loc.starts_with(&format!("/coord/squads/{}", from["id"].as_str().unwrap())),
        "{loc}"
    );
    assert!(loc.contains("&detail="), "{loc}");

    // The same stale version again, as the board's script posts it: a 409 problem.
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri(&format!(
                "/coord/stops/{}/reassign",
                stop[0].as_str().unwrap()
            ))
            .insert_header(b.cookie())
            .insert_header(("Accept", "application/json"))
            .set_form([
                ("csrf_token", b.csrf.as_str()),
                ("to_squad", from["id"].as_str().unwrap()),
                ("version", &stop[7].to_string()),
            ])
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);

    // Re-optimizing the squad from its page.
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri(&format!(
                "/coord/squads/{}/replan",
                from["id"].as_str().unwrap()
            ))
            .insert_header(b.cookie())
            .insert_header(("Accept", "application/json"))
            .set_form([("csrf_token", b.csrf.as_str()), ("date", &date.to_string())])
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let d: Value = test::read_body_json(resp).await;
    assert!(d["message"].as_str().unwrap().len() > 3, "{d}");

    // Without the CSRF token, nothing happens.
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/coord/replan")
            .insert_header(b.cookie())
            .set_form([("date", date.to_string())])
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
}

//! Role boundaries, through the real routes: a squad sees and marks only its own sheet and
//! stops; a resident's tracking token opens their one request and nothing else; a
//! coordinator's session cannot be used from another site; the API without credentials is 401.

mod auth_support;
mod common;

use actix_web::http::StatusCode;
use actix_web::test;
use auth_support::{add_user, body_text, file, plan_for, seed, sign_in, state};
use common::{TestDb, sample_input};
use doorstep::auth::Role;
use doorstep::domain::{StopId, StopStatus};

fn stop_status(t: &TestDb, stop: StopId) -> StopStatus {
    auth_support::off_runtime(|| {
        t.db.read_blocking(move |c| {
            use diesel::prelude::*;
            use doorstep::db::schema::stops;
            Ok(doorstep::db::on_conn!(c, c => stops::table
                .find(stop)
                .select(stops::status)
                .first::<StopStatus>(c))?)
        })
    })
    .unwrap()
}

#[actix_web::test]
async fn a_squad_member_cannot_read_or_change_another_squads_sheet_or_stops() {
    let t = TestDb::new();
    let squads = seed(&t.db);
    let (mine, theirs) = (&squads[0], &squads[1]);
    add_user(&t.db, "member-a", Role::SquadMember, Some(mine));
    let mut input = sample_input();
    input.resident_name = "甲队居民".into();
    let r_mine = file(&t.db, &input);
    input.resident_name = "乙队居民".into();
    input.phone = "13800001111".into();
    let r_theirs = file(&t.db, &input);
    let my_stop = plan_for(&t.db, mine, &[r_mine.id], "my-stop")[0];
    let their_stop = plan_for(&t.db, theirs, &[r_theirs.id], "their-stop")[0];
    let app = app!(state(&t));
    let a = sign_in(&app, "member-a").await;

    let get = |uri: String| {
        test::TestRequest::get()
            .uri(&uri)
            .insert_header(a.cookie())
            .to_request()
    };
    let own = test::call_service(&app, get(format!("/squad/{}", mine.id))).await;
    assert_eq!(own.status(), StatusCode::OK);
    assert!(body_text(own).await.contains("my-stop-0"));
    for uri in [
        format!("/squad/{}", theirs.id),
        format!("/squad/{}/print", theirs.id),
        format!("/coord/requests/{}", r_theirs.id),
        format!("/coord/squads/{}", theirs.id),
        "/coord".to_string(),
        "/api/v1/requests".to_string(),
        format!("/api/v1/requests/{}", r_theirs.id),
        format!("/api/v1/requests/{}/events", r_theirs.id),
        "/api/v1/plans".to_string(),
    ] {
        let resp = test::call_service(&app, get(uri.clone())).await;
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{uri}");
        let body = body_text(resp).await;
        assert!(
            !body.contains("乙队居民") && !body.contains("their-stop"),
            "{uri}"
        );
    }
    // Marking: the other squad's path, or their stop under my squad's path.
    for (squad, stop, want) in [
        (theirs.id, their_stop, StatusCode::FORBIDDEN),
        (mine.id, their_stop, StatusCode::NOT_FOUND),
    ] {
        let resp = test::call_service(
            &app,
            test::TestRequest::post()
                .uri(&format!("/squad/{squad}/stops/{stop}/mark"))
                .insert_header(a.cookie())
                .set_form([("action", "delivered"), ("csrf_token", a.csrf.as_str())])
                .to_request(),
        )
        .await;
        assert_eq!(resp.status(), want, "mark {stop} via {squad}");
    }
    // Nor may a squad move stops between squads (coordinators' work).
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri(&format!("/api/v1/stops/{their_stop}/reassign"))
            .insert_header(a.cookie())
            .insert_header(("X-CSRF-Token", a.csrf.as_str()))
            .set_json(serde_json::json!({ "squad_id": mine.id, "version": 1 }))
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN, "reassign");
    assert_eq!(
        stop_status(&t, their_stop),
        StopStatus::Pending,
        "untouched"
    );
    // The same form on my own stop works, so the refusals above were about the boundary.
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri(&format!("/squad/{}/stops/{my_stop}/mark", mine.id))
            .insert_header(a.cookie())
            .set_form([("action", "delivered"), ("csrf_token", a.csrf.as_str())])
            .to_request(),
    )
    .await;
    assert!(resp.status().is_redirection() || resp.status().is_success());
    assert_eq!(stop_status(&t, my_stop), StopStatus::Delivered);
}

#[actix_web::test]
async fn a_tracking_token_opens_its_request_and_nothing_else() {
    let t = TestDb::new();
    let squads = seed(&t.db);
    let r = file(&t.db, &sample_input());
    plan_for(&t.db, &squads[0], &[r.id], "stop");
    let token = r.tracking_token.to_string();
    let app = app!(state(&t));
    let page = test::call_service(
        &app,
        test::TestRequest::get()
            .uri(&format!("/t/{token}"))
            .to_request(),
    )
    .await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = body_text(page).await;
    assert!(
        !html.contains("王桂兰") && !html.contains("13945678901"),
        "masked"
    );

    // The token as a session cookie, as a bearer token, as a squad link, as an id.
    let tries = [
        ("cookie", format!("/squad/{}", squads[0].id)),
        ("cookie", "/coord".to_string()),
        ("cookie", "/api/v1/requests".to_string()),
        ("bearer", "/api/v1/requests".to_string()),
        ("bearer", format!("/api/v1/requests/{}", r.id)),
        ("bearer", format!("/api/v1/requests/{}/events", r.id)),
        ("none", format!("/l/{token}")),
        ("none", format!("/api/v1/requests/{token}")),
        ("none", format!("/squad/{token}")),
    ];
    for (how, uri) in tries {
        let mut req = test::TestRequest::get().uri(&uri);
        req = match how {
            "cookie" => req.insert_header(("Cookie", format!("doorstep_session={token}"))),
            "bearer" => req.insert_header(("Authorization", format!("Bearer {token}"))),
            _ => req,
        };
        let resp = test::call_service(&app, req.to_request()).await;
        let s = resp.status();
        assert!(
            s == StatusCode::UNAUTHORIZED
                || s == StatusCode::NOT_FOUND
                || (s == StatusCode::SEE_OTHER
                    && resp
                        .headers()
                        .get("location")
                        .unwrap()
                        .to_str()
                        .unwrap()
                        .starts_with("/login")),
            "{how} {uri}: {s}"
        );
        let body = body_text(resp).await;
        assert!(!body.contains("王桂兰"), "{how} {uri}");
    }
}

#[actix_web::test]
async fn a_coordinators_session_cannot_be_used_from_another_site() {
    let t = TestDb::new();
    seed(&t.db);
    add_user(&t.db, "coord-a", Role::Coordinator, None);
    let r = file(&t.db, &sample_input());
    let app = app!(state(&t));
    let c = sign_in(&app, "coord-a").await;
    let uri = format!("/coord/requests/{}/urgency", r.id);
    let version = r.version.to_string();
    // A page on another site posting the form with the victim's cookie: no token, a wrong
    // token, or a script without the header.
    let forged = [
        vec![("urgency", "normal"), ("version", version.as_str())],
        vec![
            ("urgency", "normal"),
            ("version", version.as_str()),
            ("csrf_token", "guessed"),
        ],
    ];
    for form in forged {
        let resp = test::call_service(
            &app,
            test::TestRequest::post()
                .uri(&uri)
                .insert_header(c.cookie())
                .insert_header(("Origin", "https://evil.example"))
                .set_form(form)
                .to_request(),
        )
        .await;
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    }
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri(&uri)
            .insert_header(c.cookie())
            .insert_header(("Accept", "application/json"))
            .set_form([("urgency", "normal"), ("version", version.as_str())])
            .to_request(),
    )
    .await;
    assert_eq!(
        resp.status(),
        StatusCode::FORBIDDEN,
        "script without X-CSRF-Token"
    );
    let now = auth_support::off_runtime(|| {
        t.db.read_blocking(move |conn| doorstep::db::requests::get(conn, r.id))
    })
    .unwrap();
    assert_eq!(now.version, r.version, "nothing changed");
    // The coordinator's own page, with the session's token: accepted.
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri(&uri)
            .insert_header(c.cookie())
            .set_form([
                ("urgency", "normal"),
                ("version", version.as_str()),
                ("csrf_token", c.csrf.as_str()),
            ])
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn the_api_without_credentials_answers_401() {
    let t = TestDb::new();
    let r = file(&t.db, &sample_input());
    let app = app!(state(&t));
    let id = r.id.to_string();
    for (method, uri, bearer) in [
        ("GET", "/api/v1/requests".to_string(), None),
        ("GET", format!("/api/v1/requests/{id}"), None),
        ("GET", format!("/api/v1/requests/{id}/events"), None),
        (
            "GET",
            "/api/v1/requests".to_string(),
            Some("dst_not-a-real-token"),
        ),
        ("GET", "/api/v1/requests".to_string(), Some("")),
        ("GET", "/api/v1/plans".to_string(), None),
        ("POST", "/api/v1/plans".to_string(), None),
        ("POST", format!("/api/v1/stops/{id}/reassign"), None),
        ("POST", format!("/api/v1/plans/{id}/reoptimize"), None),
    ] {
        let mut req = if method == "GET" {
            test::TestRequest::get()
        } else {
            test::TestRequest::post()
        }
        .uri(&uri);
        if let Some(b) = bearer {
            req = req.insert_header(("Authorization", format!("Bearer {b}")));
        }
        let resp = test::call_service(&app, req.to_request()).await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{method} {uri}");
        assert!(resp.headers().contains_key("www-authenticate"));
        assert_eq!(
            resp.headers().get("content-type").unwrap(),
            "application/problem+json"
        );
    }
}

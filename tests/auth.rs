//! Accounts end to end, in-process: the login page, sessions in the database, the
//! extractors' answers (redirect, 401, 403), CSRF on forms and on the API, throttling,
//! disabling, signing out, and sessions shared by two instances.

#[macro_use]
mod auth_support;
mod common;

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::test;
use auth_support::*;
use common::TestDb;
use doorstep::auth::Role;
use doorstep::auth::throttle::Rate;
use doorstep::web::AppState;
use doorstep::web::auth::{AuthSettings, AuthState};

#[actix_web::test]
async fn the_login_page_speaks_both_languages_and_carries_a_form_token() {
    let t = TestDb::new();
    let app = app!(state(&t));
    let resp = test::call_service(&app, test::TestRequest::get().uri("/login").to_request()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let cookie = resp
        .response()
        .cookies()
        .find(|c| c.name() == "doorstep_login")
        .unwrap();
    assert_eq!(cookie.http_only(), Some(true));
    let html = body_text(resp).await;
    assert!(html.contains("工作人员登录"));
    assert!(!csrf_in(&html).is_empty());
    assert!(html.contains(r#"autocomplete="current-password""#));
    let resp = test::call_service(
        &app,
        test::TestRequest::get().uri("/login?lang=en").to_request(),
    )
    .await;
    assert!(body_text(resp).await.contains("Staff sign-in"));
}

#[actix_web::test]
async fn a_coordinator_signs_in_and_out() {
    let t = TestDb::new();
    add_user(&t.db, "wang.coord", Role::Coordinator, None);
    let app = app!(state(&t));

    let resp = post_login(&app, "wang.coord", PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers().get("location").unwrap(), "/coord");
    let cookie = resp
        .response()
        .cookies()
        .find(|c| c.name() == "doorstep_session")
        .unwrap()
        .into_owned();
    assert_eq!(cookie.http_only(), Some(true));
    assert_eq!(cookie.same_site(), Some(actix_web::cookie::SameSite::Lax));
    assert_ne!(cookie.secure(), Some(true), "plain HTTP: not Secure");
    assert_eq!(cookie.path(), Some("/"));
    // Only a digest is stored.
    let stored: Vec<String> =
        t.db.read_blocking(|c| {
            use diesel::prelude::*;
            doorstep::on_conn!(c, c => doorstep::db::schema::sessions::table
                .select(doorstep::db::schema::sessions::token_hash)
                .load::<String>(c))
            .map_err(Into::into)
        })
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], cookie.value());

    let b = sign_in(&app, "wang.coord").await;
    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/test/coord")
            .insert_header(b.cookie())
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(body_text(resp).await, "coordinator user:wang.coord");

    // Signing out without the CSRF token is refused; with it, the session is gone.
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/logout")
            .insert_header(b.cookie())
            .set_form([("x", "")])
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/logout")
            .insert_header(b.cookie())
            .set_form([("csrf_token", b.csrf.as_str())])
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers().get("location").unwrap(), "/login");
    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/test/coord")
            .insert_header(b.cookie())
            .to_request(),
    )
    .await;
    assert_eq!(
        resp.status(),
        StatusCode::SEE_OTHER,
        "the old cookie is worthless"
    );
}

#[actix_web::test]
async fn wrong_passwords_and_unknown_names_get_the_same_answer_then_a_lock() {
    let t = TestDb::new();
    add_user(&t.db, "li.coord", Role::Coordinator, None);
    let app = app!(state(&t));
    let unknown = body_text(post_login(&app, "nobody.here", PASSWORD).await).await;
    let resp = post_login(&app, "li.coord", "wrong password!").await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let wrong = body_text(resp).await;
    assert!(wrong.contains("用户名或密码不对"));
    assert!(unknown.contains("用户名或密码不对"));
    assert!(
        wrong.contains(r#"value="li.coord""#),
        "the username stays filled in"
    );
    for _ in 0..4 {
        assert_eq!(
            post_login(&app, "li.coord", "wrong password!")
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // Five failures: locked, even for the right password, with the wait in seconds.
    let resp = post_login(&app, "li.coord", PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = resp
        .headers()
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&wait), "{wait}");
    let html = body_text(resp).await;
    assert!(html.contains(&format!("{wait} 秒后再试")), "{html}");
}

#[actix_web::test]
async fn each_client_may_try_only_so_often() {
    let t = TestDb::new();
    add_user(&t.db, "zhao.coord", Role::Coordinator, None);
    let mut s = AppState::new(t.db.clone());
    s.auth = AuthState::new(AuthSettings {
        login_rate: Rate::per_minute(3, 3),
        ..AuthSettings::default()
    });
    let app = app!(Arc::new(s));
    for _ in 0..3 {
        assert_eq!(
            post_login(&app, "zhao.coord", "nope nope nope")
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let resp = post_login(&app, "zhao.coord", PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().contains_key("retry-after"));
}

#[actix_web::test]
async fn a_login_form_from_another_site_is_refused() {
    let t = TestDb::new();
    add_user(&t.db, "sun.coord", Role::Coordinator, None);
    let app = app!(state(&t));
    // No form cookie (another site cannot read or set it): refused, no session.
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/login")
            .set_form([
                ("username", "sun.coord"),
                ("password", PASSWORD),
                ("csrf_token", "forged"),
            ])
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(set_cookie(&resp, "doorstep_session").is_none());
}

#[actix_web::test]
async fn pages_redirect_to_login_and_the_api_answers_401() {
    let t = TestDb::new();
    let app = app!(state(&t));
    let resp = test::call_service(
        &app,
        test::TestRequest::get().uri("/test/coord?x=1").to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        resp.headers().get("location").unwrap(),
        "/login?next=%2Ftest%2Fcoord%3Fx%3D1"
    );
    let resp = test::call_service(
        &app,
        test::TestRequest::get().uri("/api/test/staff").to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        resp.headers().get("content-type").unwrap(),
        "application/problem+json"
    );
    assert!(resp.headers().get("www-authenticate").is_some());
    // A forged session cookie is no session.
    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/api/test/staff")
            .insert_header((
                "Cookie",
                "doorstep_session=dss_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            ))
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    // After signing in, `next` brings the coordinator back.
    add_user(&t.db, "qian.coord", Role::Coordinator, None);
    let page = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/login?next=%2Ftest%2Fcoord")
            .to_request(),
    )
    .await;
    let form_cookie = set_cookie(&page, "doorstep_login").unwrap();
    let html = body_text(page).await;
    assert!(html.contains(r#"name="next" value="/test/coord""#));
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/login")
            .insert_header(("Cookie", format!("doorstep_login={form_cookie}")))
            .set_form([
                ("username", "qian.coord"),
                ("password", PASSWORD),
                ("csrf_token", &csrf_in(&html)),
                ("next", "/test/coord"),
            ])
            .to_request(),
    )
    .await;
    assert_eq!(resp.headers().get("location").unwrap(), "/test/coord");
}

#[actix_web::test]
async fn roles_decide_what_opens() {
    let t = TestDb::new();
    let squads = seed(&t.db);
    add_user(&t.db, "member.one", Role::SquadMember, Some(&squads[0]));
    add_user(&t.db, "boss", Role::Coordinator, None);
    let app = app!(state(&t));
    let m = sign_in(&app, "member.one").await;
    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/test/coord")
            .insert_header(m.cookie())
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(body_text(resp).await.contains("没有权限"));
    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/test/squad")
            .insert_header(m.cookie())
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(body_text(resp).await, format!("squad {}", squads[0].id));
    let c = sign_in(&app, "boss").await;
    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/test/squad")
            .insert_header(c.cookie())
            .to_request(),
    )
    .await;
    assert_eq!(
        resp.status(),
        StatusCode::FORBIDDEN,
        "the squad extractor is for squad members"
    );
    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/account")
            .insert_header(m.cookie())
            .to_request(),
    )
    .await;
    let html = body_text(resp).await;
    assert!(html.contains(&squads[0].name) && html.contains("小分队成员"));
}

#[actix_web::test]
async fn state_changes_need_the_sessions_csrf_token() {
    let t = TestDb::new();
    add_user(&t.db, "zhou.coord", Role::Coordinator, None);
    let app = app!(state(&t));
    let b = sign_in(&app, "zhou.coord").await;
    // A form posted from another site carries the cookie but not the token.
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/test/coord")
            .insert_header(b.cookie())
            .set_form([("x", "1")])
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/test/coord")
            .insert_header(b.cookie())
            .set_form([("x", "1"), ("csrf_token", "not-the-token")])
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    // Our own form: the token in the hidden field; the handler still reads the whole form.
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/test/coord")
            .insert_header(b.cookie())
            .set_form([("x", "1"), ("csrf_token", b.csrf.as_str())])
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(body_text(resp).await, "changed 1");
    // The API with the session: the header.
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/api/test/staff")
            .insert_header(b.cookie())
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        resp.headers().get("content-type").unwrap(),
        "application/problem+json"
    );
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/api/test/staff")
            .insert_header(b.cookie())
            .insert_header(("X-CSRF-Token", b.csrf.as_str()))
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    // Reading needs no token.
    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/api/test/staff")
            .insert_header(b.cookie())
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
}

#[actix_web::test]
async fn behind_tls_the_cookie_is_secure() {
    let t = TestDb::new();
    add_user(&t.db, "wu.coord", Role::Coordinator, None);
    let app = app!(state(&t));
    let page = test::call_service(&app, test::TestRequest::get().uri("/login").to_request()).await;
    let form_cookie = set_cookie(&page, "doorstep_login").unwrap();
    let csrf = csrf_in(&body_text(page).await);
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/login")
            .insert_header(("X-Forwarded-Proto", "https"))
            .insert_header(("Cookie", format!("doorstep_login={form_cookie}")))
            .set_form([
                ("username", "wu.coord"),
                ("password", PASSWORD),
                ("csrf_token", &csrf),
            ])
            .to_request(),
    )
    .await;
    let cookie = resp
        .response()
        .cookies()
        .find(|c| c.name() == "doorstep_session")
        .unwrap()
        .into_owned();
    assert_eq!(cookie.secure(), Some(true));
}

#[actix_web::test]
async fn disabling_an_account_ends_its_sessions() {
    let t = TestDb::new();
    add_user(&t.db, "zheng.coord", Role::Coordinator, None);
    let app = app!(state(&t));
    let b = sign_in(&app, "zheng.coord").await;
    off_runtime(|| {
        t.db.write_blocking(|c| {
            doorstep::auth::accounts::set_active(c, "zheng.coord", false, "test")
                .map(|_| ())
                .map_err(|e| doorstep::db::DbError::Query(e.to_string()))
        })
    })
    .unwrap();
    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/api/test/staff")
            .insert_header(b.cookie())
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        post_login(&app, "zheng.coord", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let events =
        t.db.read_blocking(|c| {
            let u = doorstep::db::users::by_username(c, "zheng.coord")?.unwrap();
            doorstep::db::events::for_entity(c, "user", u.id.0)
        })
        .unwrap();
    let actions: Vec<_> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["user.created", "user.disabled"]);
}

#[actix_web::test]
async fn a_session_opened_on_one_instance_works_on_another() {
    let t = TestDb::new();
    add_user(&t.db, "feng.coord", Role::Coordinator, None);
    let one = app!(state(&t));
    let two = app!(state(&t));
    let b = sign_in(&one, "feng.coord").await;
    let resp = test::call_service(
        &two,
        test::TestRequest::get()
            .uri("/test/coord")
            .insert_header(b.cookie())
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
}

#[actix_web::test]
async fn residents_data_in_the_api_is_for_coordinators_only() {
    let t = TestDb::new();
    let squads = seed(&t.db);
    add_user(&t.db, "member.two", Role::SquadMember, Some(&squads[0]));
    add_user(&t.db, "chief", Role::Coordinator, None);
    let app = app!(state(&t));
    let any =
        t.db.read_blocking(|c| doorstep::db::requests::list(c, &Default::default(), 1, 0))
            .unwrap()
            .0
            .remove(0);
    let one = format!("/api/v1/requests/{}", any.id);
    for uri in ["/api/v1/requests", one.as_str()] {
        let resp = test::call_service(&app, test::TestRequest::get().uri(uri).to_request()).await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{uri}");
    }
    let m = sign_in(&app, "member.two").await;
    for uri in ["/api/v1/requests", one.as_str()] {
        let resp = test::call_service(
            &app,
            test::TestRequest::get()
                .uri(uri)
                .insert_header(m.cookie())
                .to_request(),
        )
        .await;
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{uri}");
        assert!(!body_text(resp).await.contains(&any.phone));
    }
    let c = sign_in(&app, "chief").await;
    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri(&one)
            .insert_header(c.cookie())
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(body_text(resp).await.contains(&any.phone));
    // Filing stays public.
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/requests")
            .set_json(common::sample_input())
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
}

//! Squad sign-in links (QR codes), API tokens, the command line's accounts and the demo's.

#[macro_use]
mod auth_support;
mod common;

use actix_web::http::StatusCode;
use actix_web::test;
use auth_support::*;
use common::TestDb;
use doorstep::auth::Role;

/// The first `/l/dsl_…` URL on a page.
fn link_in(html: &str) -> String {
    let start = html.find("/l/dsl_").expect("a link on the page");
    html[start..]
        .split(|c: char| c == '<' || c == '"' || c.is_whitespace())
        .next()
        .unwrap()
        .to_owned()
}

#[actix_web::test]
async fn a_squad_signs_in_with_its_qr_link_until_a_coordinator_revokes_it() {
    let t = TestDb::new();
    let squads = seed(&t.db);
    add_user(&t.db, "boss", Role::Coordinator, None);
    let app = app!(state(&t));
    let c = sign_in(&app, "boss").await;

    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/account/links")
            .insert_header(c.cookie())
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(body_text(resp).await.contains(&squads[1].name));
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/account/links")
            .insert_header(c.cookie())
            .set_form([
                ("csrf_token", c.csrf.as_str()),
                ("squad_id", &squads[1].id.to_string()),
                ("hours", "16"),
            ])
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = body_text(resp).await;
    assert!(html.contains("<svg"), "the QR code is on the page");
    let link = link_in(&html);

    // A phone opens the link: signed in to that squad, nothing else.
    let resp = test::call_service(&app, test::TestRequest::get().uri(&link).to_request()).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let phone = Browser {
        session: set_cookie(&resp, "doorstep_session").unwrap(),
        csrf: String::new(),
    };
    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/test/squad")
            .insert_header(phone.cookie())
            .to_request(),
    )
    .await;
    assert_eq!(body_text(resp).await, format!("squad {}", squads[1].id));
    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/test/coord")
            .insert_header(phone.cookie())
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/account")
            .insert_header(phone.cookie())
            .to_request(),
    )
    .await;
    let html = body_text(resp).await;
    assert!(html.contains("二维码登录") && html.contains(&squads[1].name));
    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/account/links")
            .insert_header(phone.cookie())
            .to_request(),
    )
    .await;
    assert_eq!(
        resp.status(),
        StatusCode::FORBIDDEN,
        "a squad cannot make links"
    );

    // The coordinator revokes it: the phone is signed out and the link is dead.
    let links =
        t.db.read_blocking(|c| doorstep::db::login_links::list(c, None))
            .unwrap();
    let id = links[0].id;
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri(&format!("/account/links/{id}/revoke"))
            .insert_header(c.cookie())
            .set_form([("csrf_token", c.csrf.as_str())])
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/test/squad")
            .insert_header(phone.cookie())
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "signed out");
    let resp = test::call_service(&app, test::TestRequest::get().uri(&link).to_request()).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert!(body_text(resp).await.contains("登录链接无效"));
    let events =
        t.db.read_blocking(move |c| doorstep::db::events::for_entity(c, "squad", squads[1].id.0))
            .unwrap();
    let actions: Vec<_> = events
        .iter()
        .map(|e| (e.action.as_str(), e.actor.as_str()))
        .collect();
    assert_eq!(
        actions,
        [
            ("squad.created", "seed"),
            ("login_link.created", "user:boss"),
            ("login_link.revoked", "user:boss")
        ]
    );
}

#[actix_web::test]
async fn an_expired_or_forged_link_opens_nothing() {
    let t = TestDb::new();
    let squads = seed(&t.db);
    let app = app!(state(&t));
    let sid = squads[0].id;
    let (secret, row) = off_runtime(|| {
        t.db.write_blocking(move |c| {
            doorstep::auth::accounts::create_link(c, sid, 1, "test")
                .map_err(|e| doorstep::db::DbError::Query(e.to_string()))
        })
    })
    .unwrap();
    // Age it past its end.
    off_runtime(|| {
        t.db.write_blocking(move |c| {
            use diesel::prelude::*;
            use doorstep::db::schema::login_links::dsl;
            let past = doorstep::db::Timestamp(chrono::Utc::now() - chrono::Duration::hours(2));
            doorstep::on_conn!(c, c => diesel::update(dsl::login_links.find(row.id)).set(dsl::expires_at.eq(past)).execute(c))?;
            Ok(())
        })
    })
    .unwrap();
    for path in [
        format!("/l/{secret}"),
        "/l/dsl_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_owned(),
        "/l/'%20OR%201=1--".to_owned(),
    ] {
        let resp = test::call_service(&app, test::TestRequest::get().uri(&path).to_request()).await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(set_cookie(&resp, "doorstep_session").is_none());
    }
}

#[actix_web::test]
async fn a_script_uses_an_api_token_until_it_is_revoked() {
    let t = TestDb::new();
    add_user(&t.db, "ops", Role::Coordinator, None);
    let app = app!(state(&t));
    let b = sign_in(&app, "ops").await;
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/account/tokens")
            .insert_header(b.cookie())
            .set_form([
                ("csrf_token", b.csrf.as_str()),
                ("name", "nightly export"),
                ("days", "30"),
            ])
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = body_text(resp).await;
    let start = html.find("dst_").unwrap();
    let token = html[start..start + 4 + 43].to_owned();
    let bearer = ("Authorization", format!("Bearer {token}"));
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/api/test/staff")
            .insert_header(bearer.clone())
            .to_request(),
    )
    .await;
    assert_eq!(
        resp.status(),
        StatusCode::OK,
        "no CSRF token needed with a bearer token"
    );
    let body: serde_json::Value = test::read_body_json(resp).await;
    assert!(
        body["actor"]
            .as_str()
            .unwrap()
            .starts_with("user:ops token:")
    );
    // A wrong token is not rescued by a valid cookie.
    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/api/test/staff")
            .insert_header(b.cookie())
            .insert_header(("Authorization", "Bearer dst_nope"))
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

    let tokens =
        t.db.read_blocking(|c| doorstep::db::api_tokens::list(c, None))
            .unwrap();
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri(&format!("/account/tokens/{}/revoke", tokens[0].id))
            .insert_header(b.cookie())
            .set_form([("csrf_token", b.csrf.as_str())])
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/api/test/staff")
            .insert_header(bearer)
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[::core::prelude::v1::test]
fn the_command_line_adds_lists_disables_and_links() {
    let t = TestDb::new();
    let seed = doorstep::sample::embedded_seed().unwrap();
    doorstep::service::demo::load_seed(&t.db, &seed).unwrap();
    let squad = seed.squads[0].name.clone();
    use doorstep::service::users;
    let added = users::add(
        &t.db,
        "Li.Member",
        None,
        Role::SquadMember,
        Some(&squad),
        false,
    )
    .unwrap();
    assert_eq!(added.username, "li.member");
    let pw = added.generated_password.unwrap();
    assert_eq!(pw.len(), 16);
    let err = users::add(
        &t.db,
        "li.member",
        None,
        Role::SquadMember,
        Some(&squad),
        false,
    )
    .unwrap_err();
    assert!(err.to_string().contains("taken"), "{err}");
    let err = users::add(
        &t.db,
        "x2y",
        None,
        Role::SquadMember,
        Some("no such squad"),
        false,
    )
    .unwrap_err();
    assert!(err.to_string().contains("no squad named"), "{err}");
    let err = users::add(&t.db, "lonely", None, Role::SquadMember, None, false).unwrap_err();
    assert!(err.to_string().contains("needs a squad"), "{err}");
    let listing = users::list(&t.db).unwrap();
    assert!(listing.contains("li.member") && listing.contains(&squad) && listing.contains("yes"));
    users::set_active(&t.db, "li.member", false).unwrap();
    assert!(users::list(&t.db).unwrap().contains(" no "));
    assert!(users::set_active(&t.db, "ghost", false).is_err());

    let printed = users::squad_link(&t.db, &squad, 16, "https://d.example/").unwrap();
    assert!(printed.contains("https://d.example/l/dsl_"));
    assert!(
        printed.contains('█') || printed.contains('▀'),
        "a QR code drawn in the terminal"
    );
    let id = printed
        .split("revoke-link ")
        .nth(1)
        .unwrap()
        .trim()
        .to_owned();
    assert_eq!(users::revoke_link(&t.db, &id).unwrap(), 0);
    assert!(
        users::squad_link(&t.db, &squad, 500, "http://x").is_err(),
        "at most 72 hours"
    );
    assert!(
        users::api_token(&t.db, "li.member", "export", Some(7)).is_err(),
        "disabled"
    );
    users::set_active(&t.db, "li.member", true).unwrap();
    let token = users::api_token(&t.db, "li.member", "export", Some(7)).unwrap();
    assert!(token.starts_with("dst_"));
}

#[::core::prelude::v1::test]
fn the_demo_prints_how_to_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let (db, seeded) = doorstep::service::demo::prepare(dir.path()).unwrap();
    let banner = doorstep::service::demo::banner("127.0.0.1:8080", &seeded);
    assert!(banner.contains("http://127.0.0.1:8080/login"), "{banner}");
    assert!(banner.contains("coord / doorstep-demo"));
    assert!(banner.contains("http://127.0.0.1:8080/l/dsl_"));
    let users = db.read_blocking(doorstep::db::users::list).unwrap();
    assert_eq!(users.len(), 1 + seeded.squads);
    assert!(
        users
            .iter()
            .any(|u| u.username == "coord" && u.role == Role::Coordinator)
    );
}

//! The web service in-process (actix_web::test) on a fresh database: the resident form, the
//! tracking page, the JSON API, and every kind of bad input of the foundation issue.

mod common;

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{App, test};
use common::{TestDb, sample_input};
use doorstep::db::requests;
use doorstep::web::{AppState, configure, security_headers};
use serde_json::{Value, json};

macro_rules! app {
    ($state:expr) => {
        test::init_service(
            App::new()
                .wrap(security_headers())
                .configure(configure($state.clone())),
        )
        .await
    };
}

fn state(t: &TestDb) -> Arc<AppState> {
    Arc::new(AppState::new(t.db.clone()))
}

fn count(t: &TestDb) -> i64 {
    t.db.read_blocking(|c| requests::count(c, None)).unwrap()
}

fn form_pairs(key: &str) -> Vec<(&'static str, String)> {
    vec![
        ("idempotency_key", key.to_owned()),
        ("resident_name", "王桂兰".into()),
        ("phone", "139 4567 8901".into()),
        ("household_size", "2".into()),
        ("address", "鸿翔名苑3栋2单元501".into()),
        ("category", "medicine".into()),
        ("item_name_0", "硝苯地平控释片".into()),
        ("item_quantity_0", "2".into()),
        ("item_unit_0", "盒".into()),
        ("item_name_1", "".into()),
        ("item_quantity_1", "".into()),
        ("urgency", "urgent".into()),
        ("available_from", "09:00".into()),
        ("available_until", "17:30".into()),
        ("notes", "药快吃完了".into()),
        ("filed_by", "resident".into()),
    ]
}

async fn body_text(resp: actix_web::dev::ServiceResponse) -> String {
    String::from_utf8(test::read_body(resp).await.to_vec()).unwrap()
}

#[actix_web::test]
async fn the_form_is_chinese_by_default_and_switches_to_english() {
    let t = TestDb::new();
    let app = app!(state(&t));
    let resp = test::call_service(&app, test::TestRequest::get().uri("/").to_request()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers().get("referrer-policy").unwrap(),
        "no-referrer"
    );
    assert_eq!(resp.headers().get("cache-control").unwrap(), "no-store");
    let html = body_text(resp).await;
    assert!(html.contains("申请配送物资"));
    assert!(html.contains(r#"lang="zh-CN""#));
    assert!(html.contains(r#"name="idempotency_key" value="form-"#));
    // Usable without JavaScript: a plain POST form; the only script is the deferred,
    // progressive address completion.
    assert!(html.contains(r#"method="post""#));
    assert_eq!(html.matches("<script").count(), 1, "one progressive script");
    assert!(html.contains(r#"<script src="/static/address-suggest.js" defer></script>"#));

    let resp =
        test::call_service(&app, test::TestRequest::get().uri("/?lang=en").to_request()).await;
    let cookie = resp
        .response()
        .cookies()
        .find(|c| c.name() == "lang")
        .unwrap();
    assert_eq!(cookie.value(), "en");
    let html = body_text(resp).await;
    assert!(html.contains("Request supplies"));
    // The cookie keeps the choice.
    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/")
            .cookie(actix_web::cookie::Cookie::new("lang", "en"))
            .to_request(),
    )
    .await;
    assert!(body_text(resp).await.contains("Request supplies"));
    // A browser's locale does not switch pages: Chinese unless chosen.
    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/")
            .insert_header(("Accept-Language", "en-US,en;q=0.9"))
            .to_request(),
    )
    .await;
    assert!(body_text(resp).await.contains("申请配送物资"));
}

#[actix_web::test]
async fn a_resident_files_in_chinese_and_follows_the_request() {
    let t = TestDb::new();
    let app = app!(state(&t));
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/requests")
            .set_form(form_pairs("form-1"))
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let location = resp
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(location.starts_with("/filed/"));
    let token = location.trim_start_matches("/filed/").to_owned();

    let resp = test::call_service(&app, test::TestRequest::get().uri(&location).to_request()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = body_text(resp).await;
    assert!(html.contains(&format!("/t/{token}")));

    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri(&format!("/t/{token}"))
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = body_text(resp).await;
    assert!(html.contains("已收到"), "status in plain words");
    assert!(html.contains("您的申请已收到"));
    assert!(html.contains("王**"), "name masked");
    assert!(html.contains("139****8901"), "phone masked");
    assert!(!html.contains("13945678901"));
    assert!(html.contains("硝苯地平控释片 × 2盒"));
    assert!(html.contains("鸿翔名苑3栋2单元501"));

    let stored =
        t.db.read_blocking(|c| requests::list(c, &Default::default(), 10, 0))
            .unwrap()
            .0;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].phone, "13945678901");
    assert_eq!(stored[0].notes, "药快吃完了");
}

#[actix_web::test]
async fn a_double_click_files_once() {
    let t = TestDb::new();
    let app = app!(state(&t));
    let mut locations = Vec::new();
    for _ in 0..2 {
        let resp = test::call_service(
            &app,
            test::TestRequest::post()
                .uri("/requests")
                .set_form(form_pairs("form-double"))
                .to_request(),
        )
        .await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        locations.push(resp.headers().get("location").unwrap().clone());
    }
    assert_eq!(locations[0], locations[1]);
    assert_eq!(count(&t), 1);

    // Back to the same page, a different request: that one is new.
    let mut other = form_pairs("form-double");
    other[4].1 = "国庆家园5号楼1单元302".into();
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/requests")
            .set_form(other)
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_ne!(resp.headers().get("location").unwrap(), &locations[0]);
    assert_eq!(count(&t), 2);
}

#[actix_web::test]
async fn an_empty_form_comes_back_with_messages_and_stores_nothing() {
    let t = TestDb::new();
    let app = app!(state(&t));
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/requests")
            .set_form(Vec::<(String, String)>::new())
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body_text(resp).await;
    assert!(html.contains("有几项需要修改"));
    assert!(html.contains(r#"id="resident_name-error""#));
    assert!(html.contains(r#"id="phone-error""#));
    assert!(html.contains(r#"id="address-error""#));
    assert!(html.contains("请至少填写一种物品和数量"));
    assert_eq!(count(&t), 0);
}

#[actix_web::test]
async fn every_field_over_its_limit_is_refused_beside_the_field() {
    let t = TestDb::new();
    let app = app!(state(&t));
    let long = |n: usize| "长".repeat(n);
    let pairs = vec![
        ("resident_name", long(41)),
        ("phone", "1".repeat(30)),
        ("household_size", "51".into()),
        ("address", long(121)),
        ("building", long(21)),
        ("unit", long(21)),
        ("room", long(21)),
        ("category", "food".into()),
        ("item_name_0", long(41)),
        ("item_quantity_0", "1000".into()),
        ("item_unit_0", long(11)),
        ("notes", long(501)),
        ("filed_by", "neighbour".into()),
        ("filer_name", long(41)),
        ("filer_phone", "x".into()),
        ("idempotency_key", "k".repeat(65)),
    ];
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/requests")
            .set_form(pairs)
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body_text(resp).await;
    assert!(html.contains("最多 40 个字"));
    assert!(html.contains("最多 120 个字"));
    assert!(html.contains("最多 20 个字"));
    assert!(html.contains("最多 500 个字"));
    assert!(html.contains("1 到 50 之间"));
    assert!(html.contains("不是有效的电话号码"));
    assert!(html.contains("提交编号无效"));
    // Each message is tied to its field for screen readers.
    for f in [
        "resident_name",
        "household_size",
        "address",
        "building",
        "unit",
        "room",
        "notes",
        "filer_name",
        "filer_phone",
    ] {
        assert!(
            html.contains(&format!("id=\"{f}-error\"")),
            "{f}: no error id"
        );
        assert!(
            html.contains(&format!("{f}-error\"")),
            "{f}: not described by"
        );
        let input_start = html.find(&format!("id=\"{f}\"")).expect(f);
        let input_end = input_start + html[input_start..].find('>').expect(f);
        assert!(
            html[input_start..input_end].contains("aria-invalid=\"true\""),
            "{f}: not marked invalid"
        );
    }
    // The values come back as typed.
    assert!(html.contains(&long(121)));
    assert_eq!(count(&t), 0);
}

#[actix_web::test]
async fn markup_is_shown_escaped_and_sql_is_just_text() {
    let t = TestDb::new();
    let app = app!(state(&t));
    let mut pairs = form_pairs("form-xss");
    pairs[1].1 = "<script>alert(1)</script>".into();
    pairs[4].1 = "巴山街32号'); DROP TABLE requests;--".into();
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/requests")
            .set_form(pairs)
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let token =
        resp.headers().get("location").unwrap().to_str().unwrap()["/filed/".len()..].to_owned();
    let stored =
        t.db.read_blocking(|c| requests::list(c, &Default::default(), 1, 0))
            .unwrap()
            .0;
    assert_eq!(stored[0].resident_name, "<script>alert(1)</script>");
    assert_eq!(
        stored[0].address_text,
        "巴山街32号'); DROP TABLE requests;--"
    );
    let html = body_text(
        test::call_service(
            &app,
            test::TestRequest::get()
                .uri(&format!("/t/{token}"))
                .to_request(),
        )
        .await,
    )
    .await;
    assert!(html.contains("DROP TABLE requests;--"));
    assert!(!html.contains("<script>alert"));
    assert!(
        html.contains("&#x27;)") || html.contains("&#39;)"),
        "quotes escaped"
    );

    // Refused forms echo input escaped too.
    let mut pairs = form_pairs("form-xss2");
    pairs[1].1 = "<script>alert(2)</script>".into();
    pairs[2].1 = "not a phone".into();
    let html = body_text(
        test::call_service(
            &app,
            test::TestRequest::post()
                .uri("/requests")
                .set_form(pairs)
                .to_request(),
        )
        .await,
    )
    .await;
    assert!(!html.contains("<script>alert(2)"));
    assert!(html.contains("&lt;script&gt;alert(2)") || html.contains("&#60;script&#62;alert(2)"));
}

#[actix_web::test]
async fn letters_in_the_phone_and_a_bad_quantity_are_named() {
    let t = TestDb::new();
    let app = app!(state(&t));
    let mut pairs = form_pairs("form-p");
    pairs[2].1 = "1394567890a".into();
    pairs[7].1 = "two".into();
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/requests")
            .set_form(pairs)
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body_text(resp).await;
    assert!(html.contains(r#"id="phone-error""#));
    assert!(html.contains("请填写数字"));
    assert_eq!(count(&t), 0);
}

#[actix_web::test]
async fn oversized_and_undecodable_bodies_are_refused() {
    let t = TestDb::new();
    let app = app!(state(&t));
    let big = vec![b'a'; 10 * 1024 * 1024];
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/requests")
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload(big.clone())
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body_text(resp).await.contains("内容太长"));

    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/requests")
            .insert_header(("content-type", "application/json"))
            .set_payload(big)
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        resp.headers().get("content-type").unwrap(),
        "application/problem+json"
    );

    // Invalid UTF-8 in a form and in JSON.
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/requests")
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload(&b"resident_name=%FF%FE&phone=\xff\xfe"[..])
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/requests")
            .insert_header(("content-type", "application/json"))
            .set_payload(&b"{\"resident_name\": \"\xff\xfe\"}"[..])
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_eq!(count(&t), 0);
}

async fn post_json(
    app: &impl actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse,
        Error = actix_web::Error,
    >,
    body: &Value,
) -> (StatusCode, Value) {
    let resp = test::call_service(
        app,
        test::TestRequest::post()
            .uri("/api/v1/requests")
            .set_json(body)
            .to_request(),
    )
    .await;
    let status = resp.status();
    let body = test::read_body(resp).await;
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

#[actix_web::test]
async fn the_api_files_gets_and_lists() {
    let t = TestDb::new();
    let app = test::init_service(App::new().configure(configure(state(&t)))).await;
    let bearer = common::coordinator_bearer(&t.db);
    let input = serde_json::to_value(sample_input()).unwrap();
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/requests")
            .insert_header(("Idempotency-Key", "api-1"))
            .set_json(&input)
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let location = resp
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let created: Value = test::read_body_json(resp).await;
    assert_eq!(created["status"], "new");
    assert_eq!(created["category"], "medicine");
    assert_eq!(created["items"][0]["quantity"], 2);
    assert_eq!(created["location"], Value::Null);
    assert_eq!(
        location,
        format!("/api/v1/requests/{}", created["id"].as_str().unwrap())
    );

    // The same key again: the first request, 200.
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/requests")
            .insert_header(("Idempotency-Key", "api-1"))
            .set_json(&input)
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let again: Value = test::read_body_json(resp).await;
    assert_eq!(again["id"], created["id"]);

    let got: Value = test::read_body_json(
        test::call_service(
            &app,
            test::TestRequest::get()
                .uri(&location)
                .insert_header(bearer.clone())
                .to_request(),
        )
        .await,
    )
    .await;
    assert_eq!(got, created);

    for i in 0..4 {
        let mut b = input.clone();
        b["category"] = json!(if i % 2 == 0 { "food" } else { "medicine" });
        assert_eq!(post_json(&app, &b).await.0, StatusCode::CREATED);
    }
    let list: Value = test::read_body_json(
        test::call_service(
            &app,
            test::TestRequest::get()
                .uri("/api/v1/requests?category=medicine&limit=2&offset=0")
                .insert_header(bearer.clone())
                .to_request(),
        )
        .await,
    )
    .await;
    assert_eq!(list["total"], 3);
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    assert_eq!(list["limit"], 2);
    let all: Value = test::read_body_json(
        test::call_service(
            &app,
            test::TestRequest::get()
                .uri("/api/v1/requests")
                .insert_header(bearer.clone())
                .to_request(),
        )
        .await,
    )
    .await;
    assert_eq!(all["total"], 5);
}

#[actix_web::test]
async fn the_api_answers_bad_input_with_problem_details() {
    let t = TestDb::new();
    let app = test::init_service(App::new().configure(configure(state(&t)))).await;
    let good = serde_json::to_value(sample_input()).unwrap();

    let (status, p) = post_json(&app, &json!({})).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "missing required members: {p}"
    );
    assert_eq!(p["status"], 400);

    let mut b = good.clone();
    b["category"] = json!("pizza");
    b["phone"] = json!("1394567890a");
    let (status, p) = post_json(&app, &b).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["type"], "urn:doorstep:problem:validation");
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["phone", "category"]);
    assert_eq!(p["errors"][1]["code"], "unknown_code");
    assert!(
        p["errors"][1]["message"]
            .as_str()
            .unwrap()
            .contains("medicine")
    );

    for q in [json!(0), json!(-1), json!(100000)] {
        let mut b = good.clone();
        b["items"][0]["quantity"] = q;
        let (status, p) = post_json(&app, &b).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(p["errors"][0]["field"], "items[0].quantity");
    }
    // A quantity that does not fit any integer is malformed JSON for this schema.
    let mut b = good.clone();
    b["items"][0]["quantity"] = json!(1e300);
    assert_eq!(post_json(&app, &b).await.0, StatusCode::BAD_REQUEST);

    let mut b = good.clone();
    b["items"] = json!(vec![json!({"name": "大米", "quantity": 1}); 500]);
    let (status, p) = post_json(&app, &b).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["errors"][0]["code"], "too_many_items");

    let mut b = good.clone();
    b["unexpected"] = json!(1);
    assert_eq!(post_json(&app, &b).await.0, StatusCode::BAD_REQUEST);

    // Wrong content type, malformed JSON.
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/requests")
            .insert_header(("content-type", "text/plain"))
            .set_payload(good.to_string())
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/requests")
            .insert_header(("content-type", "application/json"))
            .set_payload("{\"resident_name\": ")
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let p: Value = test::read_body_json(resp).await;
    assert!(p["detail"].as_str().unwrap().contains("malformed JSON"));

    // Unknown and malformed ids, bad queries, unknown routes.
    let bearer = common::coordinator_bearer(&t.db);
    let status_of = |uri: &'static str| {
        let app = &app;
        let bearer = bearer.clone();
        async move {
            test::call_service(
                app,
                test::TestRequest::get()
                    .uri(uri)
                    .insert_header(bearer)
                    .to_request(),
            )
            .await
            .status()
        }
    };
    assert_eq!(
        status_of("/api/v1/requests/6c8f5b3e-0000-4000-8000-000000000000").await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        status_of("/api/v1/requests/not-a-uuid").await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        status_of("/api/v1/requests/'%20OR%201=1").await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        status_of("/api/v1/requests?limit=0").await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        status_of("/api/v1/requests?limit=abc").await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        status_of("/api/v1/requests?status=lost").await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        status_of("/api/v1/requests?created_after=yesterday").await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        status_of("/api/v1/requests?colour=red").await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(status_of("/api/v1/nothing").await, StatusCode::NOT_FOUND);
    assert_eq!(status_of("/t/short").await, StatusCode::NOT_FOUND);
    assert_eq!(
        status_of("/t/AAAAAAAAAAAAAAAAAAAAAA").await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(status_of("/filed/%00%01").await, StatusCode::NOT_FOUND);
    assert_eq!(count(&t), 0);
}

#[actix_web::test]
async fn a_database_that_is_gone_gives_503_and_a_clear_page() {
    // Nothing listens on port 1: every connection attempt fails at once.
    let mut config = doorstep::db::DbConfig::new("postgres://postgres@127.0.0.1:1/doorstep");
    config.connect_timeout = std::time::Duration::from_millis(300);
    let db = Arc::new(doorstep::db::Database::open(&config).unwrap());
    let app = app!(Arc::new(AppState::new(db)));

    let resp = test::call_service(&app, test::TestRequest::get().uri("/readyz").to_request()).await;
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body = serde_json::to_value(sample_input()).unwrap();
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/requests")
            .set_json(&body)
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(resp.headers().get("retry-after").unwrap(), "5");
    let p: Value = test::read_body_json(resp).await;
    assert_eq!(p["type"], "urn:doorstep:problem:database-unavailable");

    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/requests")
            .set_form(form_pairs("form-503"))
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    let html = body_text(resp).await;
    assert!(html.contains("系统暂时不可用"));
    assert!(html.contains("没有保存"));
    // The form itself needs no database.
    let resp = test::call_service(&app, test::TestRequest::get().uri("/").to_request()).await;
    assert_eq!(resp.status(), StatusCode::OK);
}

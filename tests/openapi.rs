//! The OpenAPI document stays true: every documented operation is routed, every API route is
//! documented, and what the API really answers fits the documented schemas.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{App, test};
use common::{TestDb, sample_input};
use doorstep::web::{AppState, configure};
use serde_json::Value;

/// Routes registered under /api/v1 (method, path template). Keep in step with
/// `web::api::routes`; the test below fails if either side changes alone.
const ROUTED: &[(&str, &str)] = &[
    ("post", "/api/v1/requests"),
    ("get", "/api/v1/requests"),
    ("get", "/api/v1/requests/{id}"),
    ("get", "/api/v1/requests/{id}/events"),
    ("get", "/api/v1/openapi.json"),
    ("get", "/api/v1/geocode"),
    ("get", "/api/v1/geocode/suggest"),
    ("get", "/api/v1/route"),
    ("post", "/api/v1/matrix"),
    ("get", "/api/v1/plans"),
    ("post", "/api/v1/plans"),
    ("post", "/api/v1/stops/{id}/reassign"),
    ("post", "/api/v1/plans/{id}/reoptimize"),
];

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.trim_start_matches("#/components/schemas/");
            &doc["components"]["schemas"][name]
        }
        None => schema,
    }
}

/// A small structural check: objects have their required members and no undeclared ones;
/// arrays' items and nested objects are checked recursively.
fn conforms(doc: &Value, schema: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
    let schema = resolve(doc, schema);
    if let Some(alts) = schema
        .get("oneOf")
        .or(schema.get("anyOf"))
        .and_then(Value::as_array)
    {
        let ok = alts.iter().any(|alt| {
            let mut e = Vec::new();
            conforms(doc, alt, value, path, &mut e);
            e.is_empty()
        });
        if !ok {
            errors.push(format!("{path}: matches no alternative"));
        }
        return;
    }
    if let Some(types) = schema.get("type") {
        let allowed: Vec<&str> = match types {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let actual = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let fits =
            allowed.contains(&actual) || (actual == "integer" && allowed.contains(&"number"));
        if !fits {
            errors.push(format!(
                "{path}: {actual} where the schema says {allowed:?}"
            ));
            return;
        }
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array)
        && !values.contains(value)
    {
        errors.push(format!("{path}: {value} is not in the enum"));
    }
    if let (Some(props), Value::Object(obj)) = (schema.get("properties"), value) {
        let props = props.as_object().unwrap();
        for req in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let req = req.as_str().unwrap();
            if !obj.contains_key(req) {
                errors.push(format!("{path}.{req}: required but missing"));
            }
        }
        for (k, v) in obj {
            match props.get(k) {
                Some(s) => conforms(doc, s, v, &format!("{path}.{k}"), errors),
                None => errors.push(format!("{path}.{k}: not in the schema")),
            }
        }
    }
    if let (Some(items), Value::Array(arr)) = (schema.get("items"), value) {
        for (i, v) in arr.iter().enumerate() {
            conforms(doc, items, v, &format!("{path}[{i}]"), errors);
        }
    }
}

fn response_schema<'a>(doc: &'a Value, path: &str, method: &str, status: u16) -> &'a Value {
    let content = &doc["paths"][path][method]["responses"][status.to_string()]["content"];
    let media = content
        .as_object()
        .and_then(|m| m.values().next())
        .unwrap_or_else(|| panic!("{method} {path} {status} has no documented body"));
    &media["schema"]
}

#[actix_web::test]
async fn the_document_matches_the_routes_and_the_answers() {
    let t = TestDb::new();
    let bearer = common::coordinator_bearer(&t.db);
    let app =
        test::init_service(App::new().configure(configure(Arc::new(AppState::new(t.db.clone())))))
            .await;
    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/api/v1/openapi.json")
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let doc: Value = test::read_body_json(resp).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));

    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.clone(), path.clone()))
        })
        .collect();
    let routed: BTreeSet<(String, String)> = ROUTED
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(
        documented, routed,
        "the OpenAPI document and the routes differ"
    );

    // Every documented operation is really routed: not the catch-all 404 for unknown routes.
    for (method, path) in &routed {
        let uri = path.replace("{id}", "00000000-0000-4000-8000-000000000000");
        let req = match method.as_str() {
            "post" => test::TestRequest::post()
                .uri(&uri)
                .set_json(serde_json::json!({})),
            _ => test::TestRequest::get().uri(&uri),
        };
        let resp = test::call_service(&app, req.to_request()).await;
        let status = resp.status();
        let documented_statuses: Vec<String> = doc["paths"][path][method]["responses"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert!(
            documented_statuses.contains(&status.as_u16().to_string()),
            "{method} {path} answered {status}, documented {documented_statuses:?}"
        );
    }

    // Real answers fit their schemas.
    let input = serde_json::to_value(sample_input()).unwrap();
    let mut errors = Vec::new();
    conforms(
        &doc,
        &doc["components"]["schemas"]["RequestInput"],
        &input,
        "RequestInput",
        &mut errors,
    );
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/requests")
            .set_json(&input)
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let created: Value = test::read_body_json(resp).await;
    conforms(
        &doc,
        response_schema(&doc, "/api/v1/requests", "post", 201),
        &created,
        "201",
        &mut errors,
    );
    let list: Value = test::read_body_json(
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
    conforms(
        &doc,
        response_schema(&doc, "/api/v1/requests", "get", 200),
        &list,
        "list",
        &mut errors,
    );
    let mut bad = input.clone();
    bad["phone"] = serde_json::json!("x");
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/requests")
            .set_json(&bad)
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = test::read_body_json(resp).await;
    conforms(
        &doc,
        response_schema(&doc, "/api/v1/requests", "post", 422),
        &problem,
        "422",
        &mut errors,
    );
    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/api/v1/requests/nope")
            .insert_header(bearer.clone())
            .to_request(),
    )
    .await;
    let problem: Value = test::read_body_json(resp).await;
    conforms(
        &doc,
        response_schema(&doc, "/api/v1/requests/{id}", "get", 400),
        &problem,
        "400",
        &mut errors,
    );
    assert!(
        errors.is_empty(),
        "answers differ from the document:\n{}",
        errors.join("\n")
    );
}

/// The map API's answers (with a map loaded) fit their documented schemas.
#[actix_web::test]
async fn the_map_answers_match_the_document() {
    let t = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let pbf = dir.path().join("sample.osm.pbf");
    std::fs::write(&pbf, doorstep::sample::EMBEDDED_PBF).unwrap();
    let engine = Arc::new(
        doorstep::engine::MapEngine::open_with_db(
            &doorstep::engine::EngineOptions::new(&pbf),
            &t.db,
        )
        .unwrap(),
    );
    let a = engine.locate_text("鸿翔名苑3栋").best.unwrap();
    let b = engine.locate_text("翠湖苑6号楼").best.unwrap();
    let app = test::init_service(App::new().configure(configure(Arc::new(
        AppState::new(t.db.clone()).with_engine(engine),
    ))))
    .await;
    let doc: Value = test::read_body_json(
        test::call_service(
            &app,
            test::TestRequest::get()
                .uri("/api/v1/openapi.json")
                .to_request(),
        )
        .await,
    )
    .await;
    let mut errors = Vec::new();
    let cases = [
        (
            "/api/v1/geocode",
            "/api/v1/geocode?q=%E9%B8%BF%E7%BF%94%E5%90%8D%E8%8B%913%E6%A0%8B".to_string(),
        ),
        (
            "/api/v1/geocode/suggest",
            "/api/v1/geocode/suggest?q=%E9%B8%BF".to_string(),
        ),
        (
            "/api/v1/route",
            format!(
                "/api/v1/route?from={},{}&to={},{}",
                a.lon, a.lat, b.lon, b.lat
            ),
        ),
    ];
    for (path, uri) in &cases {
        let resp = test::call_service(&app, test::TestRequest::get().uri(uri).to_request()).await;
        assert_eq!(resp.status(), StatusCode::OK, "{uri}");
        let body: Value = test::read_body_json(resp).await;
        conforms(
            &doc,
            response_schema(&doc, path, "get", 200),
            &body,
            path,
            &mut errors,
        );
    }
    let resp = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/api/v1/matrix")
            .set_json(serde_json::json!({"sources": [[a.lon, a.lat], [b.lon, b.lat]]}))
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = test::read_body_json(resp).await;
    conforms(
        &doc,
        response_schema(&doc, "/api/v1/matrix", "post", 200),
        &body,
        "matrix",
        &mut errors,
    );
    assert!(
        errors.is_empty(),
        "answers differ from the document:\n{}",
        errors.join("\n")
    );
}

//! The real server on a free port, spoken to over TCP like any client.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use common::{TestDb, sample_input};
use doorstep::web::{AppState, configure, security_headers};

fn http(port: u16, request: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    stream.read_to_end(&mut out).unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn the_server_answers_on_a_free_port() {
    let t = TestDb::new();
    let state = Arc::new(AppState::new(t.db.clone()));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = actix_web::HttpServer::new(move || {
                actix_web::App::new()
                    .wrap(security_headers())
                    .configure(configure(state.clone()))
            })
            .workers(1)
            .listen(listener)
            .unwrap()
            .run();
            tx.send(server.handle()).unwrap();
            server.await.unwrap();
        })
    });
    let handle = rx.recv().unwrap();

    let health = http(
        port,
        "GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");

    let body = serde_json::to_string(&sample_input()).unwrap();
    let created = http(
        port,
        &format!(
            "POST /api/v1/requests HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(created.starts_with("HTTP/1.1 201"), "{created}");
    let token = created
        .split("\"tracking_token\":\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let page = http(
        port,
        &format!("GET /t/{token} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
    );
    assert!(page.starts_with("HTTP/1.1 200"));
    assert!(page.contains("已收到"));

    actix_web::rt::System::new().block_on(handle.stop(true));
    thread.join().unwrap();
}

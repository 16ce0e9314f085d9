//! Helpers of the reliability tests: the real `doorstep` binary as a child process, a tiny
//! HTTP/1.1 client over keep-alive TCP (one per simulated client thread), a TCP proxy that can
//! cut a database off, and checks of what the database holds.

#![allow(dead_code)]

pub mod load;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::{Connection, QueryableByName, RunQueryDsl};

/// A free TCP port on the loopback interface.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The `doorstep serve` process.
pub struct Server {
    child: Option<Child>,
    pub port: u16,
    pub log: PathBuf,
}

impl Server {
    /// Starts `doorstep serve --db DB` with `extra` flags and waits until `/healthz` answers.
    pub fn start(db: &str, log_dir: &Path, extra: &[&str]) -> Server {
        let port = free_port();
        let log = log_dir.join(format!("server-{port}.log"));
        let out = std::fs::File::create(&log).expect("log file");
        let listen = format!("127.0.0.1:{port}");
        let mut args = vec![
            "--log",
            "warn",
            "serve",
            "--db",
            db,
            "--listen",
            &listen,
            "--wait-db",
            "0",
            "--db-timeout",
            "2",
        ];
        args.extend_from_slice(extra);
        let child = Command::new(env!("CARGO_BIN_EXE_doorstep"))
            .args(&args)
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("log file"))
            .stderr(out)
            .spawn()
            .expect("start doorstep serve");
        let mut server = Server {
            child: Some(child),
            port,
            log,
        };
        server.wait_healthy(Duration::from_secs(60));
        server
    }

    fn wait_healthy(&mut self, limit: Duration) {
        let started = Instant::now();
        loop {
            if let Ok(mut c) = Client::connect(self.port)
                && let Ok(r) = c.request("GET", "/healthz", &[], b"")
                && r.status == 200
            {
                return;
            }
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                panic!("the server exited ({status}): {}", self.log_text());
            }
            assert!(started.elapsed() < limit, "the server did not come up");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `kill -9`: no shutdown, no flush, nothing.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().expect("SIGKILL");
            c.wait().expect("reap");
        }
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The log must show no panic.
    pub fn assert_no_panic(&self) {
        let log = self.log_text();
        assert!(!log.contains("panicked"), "the server panicked:\n{log}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// An answer: status, lower-cased headers, body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// One keep-alive HTTP/1.1 connection.
pub struct Client {
    port: u16,
    reader: BufReader<TcpStream>,
}

impl Client {
    pub fn connect(port: u16) -> std::io::Result<Client> {
        let s = TcpStream::connect(("127.0.0.1", port))?;
        s.set_read_timeout(Some(Duration::from_secs(30)))?;
        s.set_nodelay(true)?;
        Ok(Client {
            port,
            reader: BufReader::new(s),
        })
    }

    /// Sends one request and reads the answer (Content-Length bodies; doorstep sets it).
    pub fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> std::io::Result<Answer> {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: {}\r\n",
            self.port,
            body.len()
        );
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let s = self.reader.get_mut();
        s.write_all(head.as_bytes())?;
        s.write_all(body)?;
        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut headers = Vec::new();
        let mut len = 0usize;
        loop {
            line.clear();
            self.reader.read_line(&mut line)?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                let k = k.trim().to_ascii_lowercase();
                let v = v.trim().to_owned();
                if k == "content-length" {
                    len = v.parse().unwrap_or(0);
                }
                headers.push((k, v));
            }
        }
        let mut body = vec![0; len];
        self.reader.read_exact(&mut body)?;
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    pub fn post_json(
        &mut self,
        path: &str,
        extra: &[(&str, &str)],
        body: &serde_json::Value,
    ) -> std::io::Result<Answer> {
        let mut h = vec![("Content-Type", "application/json")];
        h.extend_from_slice(extra);
        self.request("POST", path, &h, body.to_string().as_bytes())
    }
}

/// A TCP proxy in front of a database: `cut` closes every connection and refuses new ones,
/// as a database that went away; `restore` lets them through again.
pub struct Proxy {
    pub port: u16,
    cut: Arc<AtomicBool>,
    live: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    pub fn start(upstream: (String, u16)) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("proxy bind");
        let port = listener.local_addr().expect("proxy addr").port();
        let cut = Arc::new(AtomicBool::new(false));
        let live: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (c2, l2) = (cut.clone(), live.clone());
        std::thread::spawn(move || {
            for inbound in listener.incoming() {
                let Ok(inbound) = inbound else { continue };
                if c2.load(Ordering::SeqCst) {
                    let _ = inbound.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(outbound) = TcpStream::connect((upstream.0.as_str(), upstream.1)) else {
                    continue;
                };
                let mut live = l2.lock().unwrap();
                for s in [&inbound, &outbound] {
                    if let Ok(s) = s.try_clone() {
                        live.push(s);
                    }
                }
                pipe(inbound.try_clone().unwrap(), outbound.try_clone().unwrap());
                pipe(outbound, inbound);
            }
        });
        Proxy { port, cut, live }
    }

    pub fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for s in self.live.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    pub fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut from, &mut to);
        let _ = to.shutdown(Shutdown::Both);
        let _ = from.shutdown(Shutdown::Both);
    });
}

/// `host`, `port` of a `postgres://user@host:port/db` URL.
pub fn pg_host_port(url: &str) -> (String, u16) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.split(['/', '?']).next().unwrap_or(rest);
    let hostport = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    match hostport.rsplit_once(':') {
        Some((h, p)) => (h.to_owned(), p.parse().unwrap_or(5432)),
        None => (hostport.to_owned(), 5432),
    }
}

/// The same URL with the host and port replaced.
pub fn pg_via(url: &str, port: u16) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let (user, rest) = match rest.split_once('@') {
        Some((u, r)) => (format!("{u}@"), r),
        None => (String::new(), rest),
    };
    let tail = rest.find(['/', '?']).map_or("", |i| &rest[i..]);
    format!("{scheme}://{user}127.0.0.1:{port}{tail}")
}

#[derive(QueryableByName)]
struct Marker {
    #[diesel(sql_type = diesel::sql_types::Text)]
    notes: String,
}

#[derive(QueryableByName)]
struct Check {
    #[diesel(sql_type = diesel::sql_types::Text)]
    integrity_check: String,
}

/// The `notes` of every stored request (each load submission carries a unique marker there).
pub fn stored_markers(url: &str) -> Vec<String> {
    let q = "SELECT notes FROM requests";
    let rows: Vec<Marker> = if url.starts_with("postgres") {
        let mut c = diesel::PgConnection::establish(url).expect("connect");
        diesel::sql_query(q).load(&mut c).expect("read requests")
    } else {
        let mut c = diesel::SqliteConnection::establish(url).expect("open");
        diesel::sql_query(q).load(&mut c).expect("read requests")
    };
    rows.into_iter().map(|m| m.notes).collect()
}

/// `PRAGMA integrity_check` of a SQLite file.
pub fn sqlite_integrity(path: &str) -> String {
    let mut c = diesel::SqliteConnection::establish(path).expect("open");
    let rows: Vec<Check> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut c)
        .expect("integrity_check");
    rows.into_iter()
        .map(|r| r.integrity_check)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The p-th percentile (0–100) of sorted latencies, in milliseconds.
pub fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

//! The browser tests' harness: the real app on a free loopback port (a fresh test database,
//! the bundled sample district's map, its squads and zones), Debian's chromedriver driving
//! headless Chromium, screenshots under `target/screenshots/`.
//!
//! Without `/usr/bin/chromium` and `/usr/bin/chromedriver` the tests print "skipped: chromium
//! not installed" and pass, unless `DOORSTEP_BROWSER=require` (CI), where they fail.
//! `DOORSTEP_BROWSER=skip` skips them even when Chromium is there.

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::common::TestDb;
use doorstep::auth::Role;
use doorstep::db::squads::SquadRow;
use doorstep::web::AppState;

pub mod fixtures;

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const PASSWORD: &str = "browser test password";
/// How long a page element may take to appear.
pub const WAIT: Duration = Duration::from_secs(15);

/// True when the browser tests should run; prints why not otherwise. Panics when they are
/// required (CI) and the browser is missing.
pub fn browser_available() -> bool {
    let mode = std::env::var("DOORSTEP_BROWSER").unwrap_or_default();
    if mode == "skip" {
        println!("skipped: DOORSTEP_BROWSER=skip");
        return false;
    }
    let present = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if !present {
        assert!(
            mode != "require",
            "DOORSTEP_BROWSER=require but {CHROMIUM} or {CHROMEDRIVER} is missing \
             (apt-get install chromium chromium-driver)"
        );
        println!("skipped: chromium not installed ({CHROMIUM}, {CHROMEDRIVER})");
    }
    present
}

/// Runs blocking work (the database's `*_blocking` calls) off the async test's runtime.
pub fn off<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| s.spawn(f).join().expect("blocking helper thread"))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The app under test, stopped when dropped.
pub struct Served {
    pub t: TestDb,
    pub base: String,
    pub squads: Vec<SquadRow>,
    /// The server's map engine (tests file requests through it as intake does).
    pub engine: Arc<doorstep::engine::MapEngine>,
    handle: actix_web::dev::ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Served {
    /// The sample district's squads and zones in a fresh database, the map engine on its
    /// extract, and the server on a free port.
    pub fn start() -> Served {
        // `DOORSTEP_TEST_LOG=doorstep=info` shows the server's log (causes of a 500 included).
        if let Ok(filter) = std::env::var("DOORSTEP_TEST_LOG") {
            doorstep::service::init_logging(&filter, false);
        }
        off(|| {
            let t = TestDb::new();
            let mut seed = doorstep::sample::embedded_seed().expect("the embedded seed");
            seed.requests.clear();
            doorstep::service::demo::load_seed(&t.db, &seed).expect("squads and zones");
            let pbf =
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/sample-district.osm.pbf");
            let options = doorstep::engine::EngineOptions::new(pbf);
            let engine = Arc::new(
                doorstep::engine::MapEngine::open_with_db(&options, &t.db)
                    .expect("the sample district's engine"),
            );
            let state = Arc::new(AppState::new(t.db.clone()).with_engine(engine.clone()));
            let squads =
                t.db.read_blocking(|c| doorstep::db::squads::list(c, true))
                    .expect("squads");
            let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
            let port = listener.local_addr().expect("bound").port();
            let (tx, rx) = std::sync::mpsc::channel();
            let thread = std::thread::spawn(move || {
                actix_web::rt::System::new().block_on(async move {
                    let server = doorstep::web::server(state, listener, Some(2)).expect("server");
                    tx.send(server.handle()).expect("handle");
                    let _ = server.await;
                })
            });
            let handle = rx.recv().expect("the server started");
            Served {
                t,
                base: format!("http://127.0.0.1:{port}"),
                squads,
                engine,
                handle,
                thread: Some(thread),
            }
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A staff account (password [`PASSWORD`]).
    pub fn add_user(&self, username: &str, role: Role, squad: Option<&SquadRow>) {
        let squad_id = squad.map(|s| s.id);
        let db = self.t.db.clone();
        let username = username.to_owned();
        off(move || {
            db.write_blocking(move |c| {
                doorstep::auth::accounts::add_user(
                    c,
                    &doorstep::auth::accounts::NewUser {
                        username: &username,
                        display_name: &username,
                        password: PASSWORD,
                        role,
                        squad_id,
                    },
                    "test",
                )
                .map_err(|e| doorstep::db::DbError::Query(e.to_string()))
            })
            .expect("a test account");
        });
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        off(move || actix_web::rt::System::new().block_on(handle.stop(false)));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// chromedriver (and the browsers it starts) in a process group of its own, ended when
/// dropped.
pub struct Driver {
    child: Child,
    port: u16,
    profiles: tempfile::TempDir,
}

impl Driver {
    pub fn start() -> Driver {
        use std::os::unix::process::CommandExt;
        let port = free_port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("chromedriver starts");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver {
            child,
            port,
            profiles: tempfile::tempdir().expect("a profile directory"),
        }
    }

    /// A desktop browser (its own profile: no cookies shared) in a `width`×`height` window.
    pub async fn browser(&self, width: u32, height: u32) -> Client {
        self.session(width, height, false).await
    }

    /// A phone: a 360×740 viewport at 2× pixels, with touch, as Chromium's device mode has it.
    pub async fn phone(&self) -> Client {
        self.session(360, 740, true).await
    }

    /// A desktop browser with JavaScript switched off for pages (the pages' forms must work
    /// alone). Use [`sign_in_plain`] and the WebDriver's own reads with it.
    pub async fn browser_without_js(&self, width: u32, height: u32) -> Client {
        self.session_with(width, height, false, false).await
    }

    async fn session(&self, width: u32, height: u32, phone: bool) -> Client {
        self.session_with(width, height, phone, true).await
    }

    async fn session_with(&self, width: u32, height: u32, phone: bool, scripts: bool) -> Client {
        let profile = tempfile::Builder::new()
            .prefix("chromium-")
            .tempdir_in(self.profiles.path())
            .expect("a profile")
            .keep();
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                    "--disable-extensions", "--hide-scrollbars",
                    format!("--user-data-dir={}", profile.display()),
                    format!("--window-size={width},{height}"),
                ],
            },
        });
        let mut caps = caps;
        if !scripts {
            caps["goog:chromeOptions"]["prefs"] =
                json!({ "profile.managed_default_content_settings.javascript": 2 });
        }
        if phone {
            caps["goog:chromeOptions"]["mobileEmulation"] = json!({
                "deviceMetrics": { "width": width, "height": height, "pixelRatio": 2.0, "touch": true },
            });
        }
        let caps = match caps {
            Value::Object(m) => m,
            _ => unreachable!("an object literal"),
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("a browser session");
        if !phone {
            client
                .set_window_size(width, height)
                .await
                .expect("window size");
        }
        client
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The group holds chromedriver and every Chromium it started.
        let group = format!("-{}", self.child.id());
        for signal in ["-TERM", "-KILL"] {
            let _ = Command::new("kill")
                .args([signal, "--", &group])
                .stderr(Stdio::null())
                .status();
            std::thread::sleep(Duration::from_millis(200));
        }
        let _ = self.child.wait();
    }
}

/// Saves a PNG of what the browser shows as `target/screenshots/{name}.png`.
pub async fn screenshot(c: &Client, name: &str) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot directory");
    let png = c.screenshot().await.expect("a screenshot");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("screenshot written");
}

pub async fn find(c: &Client, css: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no element {css}: {e}"))
}

pub async fn fill(c: &Client, css: &str, text: &str) {
    let e = find(c, css).await;
    e.clear().await.expect("clear");
    e.send_keys(text).await.expect("type");
}

pub async fn click(c: &Client, css: &str) {
    find(c, css)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

pub async fn text(c: &Client, css: &str) -> String {
    find(c, css).await.text().await.expect("text")
}

/// Runs `script` (a function body; `arguments` as usual) and answers its value.
pub async fn js(c: &Client, script: &str, args: Vec<Value>) -> Value {
    c.execute(script, args)
        .await
        .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
}

/// Waits until `script` answers something truthy; answers it.
pub async fn until(c: &Client, what: &str, script: &str) -> Value {
    until_within(c, what, script, WAIT).await
}

/// [`until`] with its own time limit (a district plan takes the optimizer's budget).
pub async fn until_within(c: &Client, what: &str, script: &str, limit: Duration) -> Value {
    let deadline = Instant::now() + limit;
    loop {
        let v = js(c, script, vec![]).await;
        let truthy = match &v {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::String(s) => !s.is_empty(),
            Value::Number(n) => n.as_f64() != Some(0.0),
            _ => true,
        };
        if truthy {
            return v;
        }
        if Instant::now() > deadline {
            let _ = screenshot(c, &format!("failed-{}", what.replace(' ', "-"))).await;
            panic!("timed out waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Signs in through the real login page without running a script in it.
pub async fn sign_in_plain(c: &Client, s: &Served, username: &str) {
    c.goto(&s.url("/login")).await.expect("login page");
    fill(c, "#username", username).await;
    fill(c, "#password", PASSWORD).await;
    click(c, "form.card button[type=submit]").await;
    let deadline = Instant::now() + WAIT;
    while c.current_url().await.expect("url").path() == "/login" {
        assert!(Instant::now() < deadline, "{username} was not signed in");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Signs in through the real login page.
pub async fn sign_in(c: &Client, s: &Served, username: &str) {
    c.goto(&s.url("/login")).await.expect("login page");
    fill(c, "#username", username).await;
    fill(c, "#password", PASSWORD).await;
    click(c, "form.card button[type=submit]").await;
    until(
        c,
        "signed in",
        "return location.pathname !== '/login' && document.readyState === 'complete';",
    )
    .await;
}

/// What a screen reader, a keyboard and an offline district office need of every page: the
/// language set; every visible form control named (label, wrapping label, aria-label or
/// aria-labelledby); every button and link with a name; images with alt text; no catalogue
/// key showing instead of words; nothing loaded from another origin. Answers the faults.
pub async fn audit(c: &Client) -> Vec<String> {
    let v = js(
        c,
        r#"
        var faults = [];
        var lang = document.documentElement.lang;
        if (!lang) faults.push('no lang on <html>');
        function visible(e) { return !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length); }
        function named(e) {
          if ((e.getAttribute('aria-label') || '').trim()) return true;
          var by = e.getAttribute('aria-labelledby');
          if (by && by.split(/\s+/).some(function (id) { var l = document.getElementById(id); return l && l.textContent.trim(); })) return true;
          if (e.id && document.querySelector('label[for="' + CSS.escape(e.id) + '"]')) return true;
          var p = e.closest('label');
          if (p && p.textContent.trim()) return true;
          return !!(e.getAttribute('title') || '').trim();
        }
        document.querySelectorAll('input, select, textarea').forEach(function (e) {
          if (e.type === 'hidden' || !visible(e)) return;
          if (!named(e)) faults.push('unnamed ' + e.tagName.toLowerCase() + ' ' + (e.name || e.id));
        });
        document.querySelectorAll('button, a[href], [role=button], [role=tab]').forEach(function (e) {
          if (!visible(e)) return;
          var name = (e.textContent || '').trim() || e.getAttribute('aria-label') || e.getAttribute('title');
          if (!name) faults.push('nameless ' + e.tagName.toLowerCase() + ' ' + (e.className || e.getAttribute('href') || ''));
        });
        document.querySelectorAll('img').forEach(function (e) {
          if (!e.hasAttribute('alt')) faults.push('img without alt ' + e.src);
        });
        var words = document.body.innerText;
        document.querySelectorAll('[aria-label], [title], [alt], [placeholder]').forEach(function (e) {
          ['aria-label', 'title', 'alt', 'placeholder'].forEach(function (a) {
            if (e.hasAttribute(a)) words += ' ' + e.getAttribute(a);
          });
        });
        var keys = words.match(/\b(board|sheet|status|map|track|form|field|js|login|zone|squad|print|error|confirm|urgency|category|mode|stop_status)\.[a-z_]+(\.[a-z_]+)*\b/g);
        if (keys) faults.push('catalogue keys shown: ' + keys.slice(0, 5).join(', '));
        var here = location.origin;
        performance.getEntriesByType('resource').forEach(function (r) {
          if (r.name.indexOf(here) !== 0 && r.name.indexOf('data:') !== 0) faults.push('loaded from elsewhere: ' + r.name);
        });
        document.querySelectorAll('script[src], link[href], img[src], iframe').forEach(function (e) {
          var u = e.src || e.href || '';
          if (u && u.indexOf(here) !== 0 && u.indexOf('data:') !== 0) faults.push('refers elsewhere: ' + u);
        });
        return faults;
        "#,
        vec![],
    )
    .await;
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Fails when [`audit`] finds anything on the page shown.
pub async fn assert_accessible(c: &Client, page: &str) {
    let faults = audit(c).await;
    assert!(faults.is_empty(), "{page}: {faults:#?}");
}

//! Test helpers: a fresh database per test — a SQLite file in a temporary directory, or,
//! when `TEST_DATABASE_URL` is set, a fresh PostgreSQL database created for the test and
//! dropped after it.

#![allow(dead_code)]

use std::sync::Arc;

use diesel::{Connection, RunQueryDsl};
use doorstep::db::{Backend, Database, DbConfig};

/// A migrated database that disappears with the value.
pub struct TestDb {
    pub db: Arc<Database>,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_admin: Option<(String, String)>,
}

impl TestDb {
    /// SQLite unless `TEST_DATABASE_URL` points at PostgreSQL.
    pub fn new() -> TestDb {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(url) if !url.trim().is_empty() => TestDb::postgres(&url),
            _ => TestDb::sqlite(),
        }
    }

    /// Always SQLite (tests of SQLite-only behaviour).
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = dir.path().join("test.db").display().to_string();
        let db = Database::open(&DbConfig::new(url.clone())).expect("open sqlite");
        db.migrate().expect("migrate");
        TestDb {
            db: Arc::new(db),
            url,
            _dir: Some(dir),
            pg_admin: None,
        }
    }

    fn postgres(admin_url: &str) -> TestDb {
        let name = format!("doorstep_found_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = diesel::PgConnection::establish(admin_url).unwrap_or_else(|e| {
            panic!("TEST_DATABASE_URL={admin_url} is set but PostgreSQL is unreachable: {e}")
        });
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .expect("create test database");
        let url = with_database(admin_url, &name);
        let db = Database::open(&DbConfig::new(url.clone())).expect("open postgres");
        db.migrate().expect("migrate");
        TestDb {
            db: Arc::new(db),
            url,
            _dir: None,
            pg_admin: Some((admin_url.to_owned(), name)),
        }
    }

    pub fn backend(&self) -> Backend {
        self.db.backend()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.pg_admin.take()
            && let Ok(mut admin) = diesel::PgConnection::establish(&admin_url)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin);
        }
    }
}

/// `postgres://u@h:5432/postgres?x=y` with the database replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    format!("{base}/{name}{query}")
}

/// A valid API/form input.
pub fn sample_input() -> doorstep::intake::RequestInput {
    doorstep::intake::RequestInput {
        resident_name: "王桂兰".into(),
        phone: "13945678901".into(),
        address: "鸿翔名苑3栋2单元501".into(),
        household_size: 2,
        category: "medicine".into(),
        items: vec![doorstep::intake::ItemInput {
            name: "硝苯地平控释片".into(),
            quantity: 2,
            unit: Some("盒".into()),
        }],
        urgency: Some("urgent".into()),
        ..Default::default()
    }
}

/// `Authorization: Bearer …` of a new coordinator's API token, for tests of staff-only
/// endpoints. Safe to call from async tests (the blocking work runs on its own thread).
pub fn coordinator_bearer(db: &Database) -> (&'static str, String) {
    std::thread::scope(|s| {
        s.spawn(|| {
            db.write_blocking(|c| {
                let name = format!("coord{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
                let err =
                    |e: doorstep::auth::AuthError| doorstep::db::DbError::Query(e.to_string());
                let user = doorstep::auth::accounts::add_user(
                    c,
                    &doorstep::auth::accounts::NewUser {
                        username: &name,
                        display_name: &name,
                        password: "test password 123",
                        role: doorstep::auth::Role::Coordinator,
                        squad_id: None,
                    },
                    "test",
                )
                .map_err(err)?;
                let (secret, _) =
                    doorstep::auth::accounts::create_api_token(c, user.id, "tests", None, "test")
                        .map_err(err)?;
                Ok(("Authorization", format!("Bearer {secret}")))
            })
            .expect("a coordinator's token")
        })
        .join()
        .expect("token thread")
    })
}

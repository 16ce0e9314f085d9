//! The data layer: diesel over SQLite (embedded default) or PostgreSQL (production), chosen by
//! the URL's scheme, with one portable [`schema`] and embedded migrations.
//!
//! - [`Database`] owns an r2d2 pool and, on SQLite, the single [`writer`] thread that batches
//!   writes into group commits. Async callers use [`Database::read`] and [`Database::write`],
//!   which run diesel on blocking threads, never on the async workers; the command line uses
//!   the `*_blocking` variants.
//! - Queries are written once against [`Conn`], an enum over both connections; the
//!   [`on_conn!`] macro compiles the same diesel code for each backend.
//! - One file per table holds its models and queries.
//!
//! It knows nothing of HTTP: errors are [`DbError`], which the web layer maps to status codes.

pub mod api_tokens;
pub mod events;
pub mod login_links;
pub mod plans;
pub mod requests;
pub mod schema;
pub mod sessions;
pub mod squads;
pub mod types;
pub mod unserved;
pub mod users;
pub mod writer;
pub mod zones;

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub use types::Timestamp;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// The PostgreSQL advisory lock held while migrating (any constant unique to doorstep).
const MIGRATION_LOCK_KEY: i64 = 0x646f_6f72_7374_6570;

/// One connection to either database, borrowed for the length of a query or transaction.
pub enum Conn<'a> {
    Sqlite(&'a mut SqliteConnection),
    Pg(&'a mut PgConnection),
}

/// Runs the same diesel code on whichever connection `conn` holds: `$c` is bound to the
/// concrete connection in each arm, so the body is compiled once per backend.
#[macro_export]
macro_rules! on_conn {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::Conn::Sqlite(inner) => {
                let $c: &mut diesel::sqlite::SqliteConnection = &mut **inner;
                $body
            }
            $crate::db::Conn::Pg(inner) => {
                let $c: &mut diesel::pg::PgConnection = &mut **inner;
                $body
            }
        }
    };
}
pub use on_conn;

impl Conn<'_> {
    /// Runs `f` in a transaction (a savepoint when one is already open): all or nothing.
    pub fn transaction<T, E>(
        &mut self,
        f: impl FnOnce(&mut Conn<'_>) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<diesel::result::Error>,
    {
        match self {
            Conn::Sqlite(c) => c.transaction(|c| f(&mut Conn::Sqlite(c))),
            Conn::Pg(c) => c.transaction(|c| f(&mut Conn::Pg(c))),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Conn::Sqlite(_) => Backend::Sqlite,
            Conn::Pg(_) => Backend::Postgres,
        }
    }
}

/// Which database a URL points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Errors of the data layer. `Clone` so that one commit outcome can be told to every writer
/// in a group commit.
#[derive(Clone, Debug, thiserror::Error)]
pub enum DbError {
    /// The database cannot be reached or gave no connection in time (→ 503).
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    #[error("not found")]
    NotFound,
    /// A unique key or a version check failed: someone else got there first.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Query(String),
    #[error("bad configuration: {0}")]
    Config(String),
}

impl From<diesel::result::Error> for DbError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as K, Error as E};
        match e {
            E::NotFound => DbError::NotFound,
            E::DatabaseError(K::UniqueViolation, info) => DbError::Conflict(info.message().into()),
            E::DatabaseError(K::ClosedConnection | K::UnableToSendCommand, info) => {
                DbError::Unavailable(info.message().into())
            }
            E::BrokenTransactionManager => DbError::Unavailable(e.to_string()),
            other => DbError::Query(other.to_string()),
        }
    }
}

impl From<diesel::r2d2::PoolError> for DbError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        DbError::Unavailable(e.to_string())
    }
}

impl From<diesel::ConnectionError> for DbError {
    fn from(e: diesel::ConnectionError) -> Self {
        DbError::Unavailable(e.to_string())
    }
}

/// How to open the database.
#[derive(Clone, Debug)]
pub struct DbConfig {
    /// `postgres://…` / `postgresql://…`, `sqlite://PATH`, `sqlite:PATH`, or a plain file path.
    pub url: String,
    /// Connections in the pool (readers on SQLite).
    pub pool_size: u32,
    /// How long to wait for a connection before answering "unavailable".
    pub connect_timeout: Duration,
    /// Most writes per SQLite group commit (1 = one transaction per write).
    pub write_batch_max: usize,
}

impl DbConfig {
    pub fn new(url: impl Into<String>) -> Self {
        DbConfig {
            url: url.into(),
            pool_size: 8,
            connect_timeout: Duration::from_secs(5),
            write_batch_max: 256,
        }
    }
}

/// The backend and the SQLite path (without scheme) for a URL.
pub fn parse_url(url: &str) -> Result<(Backend, String), DbError> {
    let url = url.trim();
    if url.is_empty() {
        return Err(DbError::Config("the database URL is empty".into()));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((Backend::Postgres, url.to_owned()));
    }
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    if path.contains("://") {
        return Err(DbError::Config(format!(
            "unsupported database URL `{url}`: use postgres://… or a SQLite file path"
        )));
    }
    if path == ":memory:" || path.is_empty() {
        return Err(DbError::Config(
            "an in-memory SQLite database is not shared between connections: give a file path"
                .into(),
        ));
    }
    Ok((Backend::Sqlite, path.to_owned()))
}

/// SQLite settings applied to every connection: WAL so readers never block the writer,
/// foreign keys enforced, a busy timeout instead of immediate "database is locked",
/// synchronous=NORMAL (in WAL a commit survives a crash of the process; only a power loss can
/// lose the last transactions).
#[derive(Debug)]
struct SqlitePragmas;

const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
     PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -16000; \
     PRAGMA temp_store = MEMORY;";

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(SQLITE_PRAGMAS)
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Opens one SQLite connection with doorstep's settings (the writer thread, the CLI).
pub fn open_sqlite(path: &str) -> Result<SqliteConnection, DbError> {
    let mut conn = SqliteConnection::establish(path)?;
    conn.batch_execute(SQLITE_PRAGMAS)?;
    Ok(conn)
}

enum Inner {
    Sqlite {
        pool: Pool<ConnectionManager<SqliteConnection>>,
        writer: writer::Writer,
    },
    Postgres {
        pool: Pool<ConnectionManager<PgConnection>>,
    },
}

/// The database: a pool, plus the group-commit writer on SQLite. Cheap to share (`Arc` it).
pub struct Database {
    inner: Inner,
    url: String,
}

impl Database {
    /// Opens the database. Does not run migrations (see [`Database::migrate`]). On
    /// PostgreSQL the pool starts even when the server is down, so that the service can answer
    /// 503 and recover by itself when it comes back.
    pub fn open(config: &DbConfig) -> Result<Database, DbError> {
        let (backend, target) = parse_url(&config.url)?;
        let inner = match backend {
            Backend::Sqlite => {
                if let Some(dir) = std::path::Path::new(&target).parent()
                    && !dir.as_os_str().is_empty()
                    && !dir.exists()
                {
                    return Err(DbError::Config(format!(
                        "the directory of the SQLite file `{target}` does not exist"
                    )));
                }
                // The writer opens first: it creates the file and switches it to WAL.
                let writer = writer::Writer::start(&target, config.write_batch_max)?;
                let pool = Pool::builder()
                    .max_size(config.pool_size.max(1))
                    .connection_timeout(config.connect_timeout)
                    .connection_customizer(Box::new(SqlitePragmas))
                    .build(ConnectionManager::new(target.clone()))?;
                Inner::Sqlite { pool, writer }
            }
            Backend::Postgres => {
                let pool = Pool::builder()
                    .max_size(config.pool_size.max(1))
                    .min_idle(Some(0))
                    .connection_timeout(config.connect_timeout)
                    .build_unchecked(ConnectionManager::new(target.clone()));
                Inner::Postgres { pool }
            }
        };
        Ok(Database {
            inner,
            url: config.url.clone(),
        })
    }

    pub fn backend(&self) -> Backend {
        match self.inner {
            Inner::Sqlite { .. } => Backend::Sqlite,
            Inner::Postgres { .. } => Backend::Postgres,
        }
    }

    /// The URL without a password, for logs.
    pub fn display_url(&self) -> String {
        redact_url(&self.url)
    }

    /// Runs `f` on a pooled connection, on the calling thread. For the command line and for
    /// code already on a blocking thread.
    pub fn read_blocking<T>(
        &self,
        f: impl FnOnce(&mut Conn<'_>) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        match &self.inner {
            Inner::Sqlite { pool, .. } => f(&mut Conn::Sqlite(&mut *pool.get()?)),
            Inner::Postgres { pool } => f(&mut Conn::Pg(&mut *pool.get()?)),
        }
    }

    /// Runs `f` in a write transaction, on the calling thread; on SQLite through the writer.
    pub fn write_blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Conn<'_>) -> Result<T, DbError> + Send + 'static,
    ) -> Result<T, DbError> {
        match &self.inner {
            Inner::Sqlite { writer, .. } => writer.submit(f)?.blocking_recv_result(),
            Inner::Postgres { pool } => Conn::Pg(&mut *pool.get()?).transaction(f),
        }
    }

    /// Runs `f` on a pooled connection on a blocking thread.
    pub async fn read<T: Send + 'static>(
        self: &std::sync::Arc<Self>,
        f: impl FnOnce(&mut Conn<'_>) -> Result<T, DbError> + Send + 'static,
    ) -> Result<T, DbError> {
        let db = self.clone();
        tokio::task::spawn_blocking(move || db.read_blocking(f))
            .await
            .map_err(|e| DbError::Query(format!("a database task failed: {e}")))?
    }

    /// Runs `f` in a write transaction and answers only after it is committed. On SQLite the
    /// writer thread batches concurrent writes into one transaction (each in its own
    /// savepoint, so one failure does not undo the others); on PostgreSQL each write is its
    /// own transaction on a pooled connection.
    pub async fn write<T: Send + 'static>(
        self: &std::sync::Arc<Self>,
        f: impl FnOnce(&mut Conn<'_>) -> Result<T, DbError> + Send + 'static,
    ) -> Result<T, DbError> {
        match &self.inner {
            Inner::Sqlite { writer, .. } => writer.submit(f)?.recv_result().await,
            Inner::Postgres { .. } => {
                let db = self.clone();
                tokio::task::spawn_blocking(move || db.write_blocking(f))
                    .await
                    .map_err(|e| DbError::Query(format!("a database task failed: {e}")))?
            }
        }
    }

    /// Applies pending migrations; returns the names applied.
    pub fn migrate(&self) -> Result<Vec<String>, DbError> {
        let names = |v: Vec<diesel::migration::MigrationVersion<'_>>| {
            v.into_iter().map(|m| m.to_string()).collect()
        };
        let err = |e: Box<dyn std::error::Error + Send + Sync>| DbError::Query(e.to_string());
        match &self.inner {
            Inner::Sqlite { pool, .. } => {
                let mut c = pool.get()?;
                c.run_pending_migrations(SQLITE_MIGRATIONS)
                    .map(names)
                    .map_err(err)
            }
            Inner::Postgres { pool } => {
                let mut c = pool.get()?;
                // Several instances may start at once: one migrates, the others wait.
                diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
                    .execute(&mut *c)?;
                let result = c
                    .run_pending_migrations(POSTGRES_MIGRATIONS)
                    .map(names)
                    .map_err(err);
                diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))
                    .execute(&mut *c)?;
                result
            }
        }
    }

    /// Reverts every applied migration (tests of up → down → up).
    pub fn revert_all(&self) -> Result<Vec<String>, DbError> {
        let names = |v: Vec<diesel::migration::MigrationVersion<'_>>| {
            v.into_iter().map(|m| m.to_string()).collect()
        };
        let err = |e: Box<dyn std::error::Error + Send + Sync>| DbError::Query(e.to_string());
        match &self.inner {
            Inner::Sqlite { pool, .. } => {
                let mut c = pool.get()?;
                c.revert_all_migrations(SQLITE_MIGRATIONS)
                    .map(names)
                    .map_err(err)
            }
            Inner::Postgres { pool } => {
                let mut c = pool.get()?;
                c.revert_all_migrations(POSTGRES_MIGRATIONS)
                    .map(names)
                    .map_err(err)
            }
        }
    }

    /// True when migrations are still to be applied.
    pub fn has_pending_migrations(&self) -> Result<bool, DbError> {
        let err = |e: Box<dyn std::error::Error + Send + Sync>| DbError::Query(e.to_string());
        match &self.inner {
            Inner::Sqlite { pool, .. } => pool
                .get()?
                .has_pending_migration(SQLITE_MIGRATIONS)
                .map_err(err),
            Inner::Postgres { pool } => pool
                .get()?
                .has_pending_migration(POSTGRES_MIGRATIONS)
                .map_err(err),
        }
    }

    /// A cheap round trip: is the database there?
    pub fn ping_blocking(&self) -> Result<(), DbError> {
        self.read_blocking(|conn| {
            on_conn!(conn, c => diesel::sql_query("SELECT 1").execute(c))?;
            Ok(())
        })
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((creds, host)) = rest.split_once('@')
        && let Some((user, _)) = creds.split_once(':')
    {
        return format!("{scheme}://{user}:***@{host}");
    }
    url.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_choose_the_backend() {
        assert_eq!(parse_url("postgres://u@h/db").unwrap().0, Backend::Postgres);
        assert_eq!(
            parse_url("postgresql://u@h/db").unwrap().0,
            Backend::Postgres
        );
        assert_eq!(
            parse_url("sqlite://doorstep.db").unwrap(),
            (Backend::Sqlite, "doorstep.db".into())
        );
        assert_eq!(
            parse_url("sqlite:/tmp/x.db").unwrap(),
            (Backend::Sqlite, "/tmp/x.db".into())
        );
        assert_eq!(
            parse_url("data/x.db").unwrap(),
            (Backend::Sqlite, "data/x.db".into())
        );
        assert!(parse_url("mysql://h/db").is_err());
        assert!(parse_url(":memory:").is_err());
        assert!(parse_url(" ").is_err());
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://postgres:hunter2@127.0.0.1/db"),
            "postgres://postgres:***@127.0.0.1/db"
        );
        assert_eq!(redact_url("doorstep.db"), "doorstep.db");
    }
}

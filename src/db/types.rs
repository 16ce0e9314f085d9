//! Column types that differ between the two databases, and the glue that stores doorstep's
//! typed values in plain columns.
//!
//! - [`DbUuid`]: native `uuid` in PostgreSQL, hyphenated lower-case text in SQLite.
//! - [`DbTimestamp`]: `timestamptz` in PostgreSQL, RFC 3339-like text in SQLite (diesel's
//!   `TimestamptzSqlite` format), always UTC; the Rust side is [`Timestamp`].
//! - Vocabularies ([`crate::domain`]) are stored as their text codes; a code the program does
//!   not know is a deserialization error, not a panic.

use chrono::{DateTime, Utc};
use diesel::deserialize::{self, FromSql};
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, Output, ToSql};
use diesel::sqlite::Sqlite;

/// A UUID column.
#[derive(
    Debug, Clone, Copy, Default, diesel::sql_types::SqlType, diesel::query_builder::QueryId,
)]
#[diesel(postgres_type(oid = 2950, array_oid = 2951))]
#[diesel(sqlite_type(name = "Text"))]
pub struct DbUuid;

/// A point in time, stored in UTC.
#[derive(
    Debug, Clone, Copy, Default, diesel::sql_types::SqlType, diesel::query_builder::QueryId,
)]
#[diesel(postgres_type(oid = 1184, array_oid = 1185))]
#[diesel(sqlite_type(name = "Text"))]
pub struct DbTimestamp;

/// A point in time (UTC) as stored in [`DbTimestamp`] columns.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    diesel::AsExpression,
    diesel::FromSqlRow,
)]
#[diesel(sql_type = DbTimestamp)]
pub struct Timestamp(pub DateTime<Utc>);

impl Timestamp {
    /// Now, truncated to microseconds so that both databases store the same value.
    pub fn now() -> Self {
        let now = Utc::now();
        let micros = now.timestamp_micros();
        Timestamp(DateTime::from_timestamp_micros(micros).unwrap_or(now))
    }
}

impl ToSql<DbTimestamp, Pg> for Timestamp {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        ToSql::<diesel::sql_types::Timestamptz, Pg>::to_sql(&self.0, out)
    }
}

impl FromSql<DbTimestamp, Pg> for Timestamp {
    fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
        FromSql::<diesel::sql_types::Timestamptz, Pg>::from_sql(bytes).map(Timestamp)
    }
}

impl ToSql<DbTimestamp, Sqlite> for Timestamp {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        // Fixed width with microseconds so that text order is time order.
        out.set_value(self.0.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string());
        Ok(serialize::IsNull::No)
    }
}

impl FromSql<DbTimestamp, Sqlite> for Timestamp {
    fn from_sql(value: diesel::sqlite::SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        let text = <String as FromSql<diesel::sql_types::Text, Sqlite>>::from_sql(value)?;
        let t = DateTime::parse_from_rfc3339(&text)
            .map_err(|e| format!("bad timestamp `{text}`: {e}"))?;
        Ok(Timestamp(t.with_timezone(&Utc)))
    }
}

/// ToSql/FromSql between a UUID newtype and [`DbUuid`] on both databases.
macro_rules! uuid_sql {
    ($t:ty) => {
        impl diesel::serialize::ToSql<$crate::db::types::DbUuid, diesel::pg::Pg> for $t {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                diesel::serialize::ToSql::<diesel::sql_types::Uuid, diesel::pg::Pg>::to_sql(
                    &self.0, out,
                )
            }
        }

        impl diesel::deserialize::FromSql<$crate::db::types::DbUuid, diesel::pg::Pg> for $t {
            fn from_sql(bytes: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                diesel::deserialize::FromSql::<diesel::sql_types::Uuid, diesel::pg::Pg>::from_sql(
                    bytes,
                )
                .map(Self)
            }
        }

        impl diesel::serialize::ToSql<$crate::db::types::DbUuid, diesel::sqlite::Sqlite> for $t {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::sqlite::Sqlite>,
            ) -> diesel::serialize::Result {
                out.set_value(self.0.hyphenated().to_string());
                Ok(diesel::serialize::IsNull::No)
            }
        }

        impl diesel::deserialize::FromSql<$crate::db::types::DbUuid, diesel::sqlite::Sqlite>
            for $t
        {
            fn from_sql(
                value: diesel::sqlite::SqliteValue<'_, '_, '_>,
            ) -> diesel::deserialize::Result<Self> {
                let text = <String as diesel::deserialize::FromSql<
                    diesel::sql_types::Text,
                    diesel::sqlite::Sqlite,
                >>::from_sql(value)?;
                Ok(Self(uuid::Uuid::parse_str(&text)?))
            }
        }
    };
}
pub(crate) use uuid_sql;

/// ToSql/FromSql between a vocabulary and `Text` on both databases, through its code.
macro_rules! text_code_sql {
    ($t:ty) => {
        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $t {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                use std::io::Write as _;
                out.write_all(self.as_str().as_bytes())?;
                Ok(diesel::serialize::IsNull::No)
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for $t {
            fn from_sql(bytes: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = <String as diesel::deserialize::FromSql<
                    diesel::sql_types::Text,
                    diesel::pg::Pg,
                >>::from_sql(bytes)?;
                Ok(text.parse::<Self>()?)
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::sqlite::Sqlite> for $t {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::sqlite::Sqlite>,
            ) -> diesel::serialize::Result {
                out.set_value(self.as_str());
                Ok(diesel::serialize::IsNull::No)
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::sqlite::Sqlite> for $t {
            fn from_sql(
                value: diesel::sqlite::SqliteValue<'_, '_, '_>,
            ) -> diesel::deserialize::Result<Self> {
                let text = <String as diesel::deserialize::FromSql<
                    diesel::sql_types::Text,
                    diesel::sqlite::Sqlite,
                >>::from_sql(value)?;
                Ok(text.parse::<Self>()?)
            }
        }
    };
}
pub(crate) use text_code_sql;

// The tracking token is text in both databases.
impl ToSql<diesel::sql_types::Text, Pg> for crate::domain::TrackingToken {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        use std::io::Write as _;
        out.write_all(self.as_str().as_bytes())?;
        Ok(serialize::IsNull::No)
    }
}
impl FromSql<diesel::sql_types::Text, Pg> for crate::domain::TrackingToken {
    fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
        let text = <String as FromSql<diesel::sql_types::Text, Pg>>::from_sql(bytes)?;
        crate::domain::TrackingToken::parse(&text)
            .ok_or_else(|| "malformed tracking token in the database".into())
    }
}
impl ToSql<diesel::sql_types::Text, Sqlite> for crate::domain::TrackingToken {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(self.as_str().to_owned());
        Ok(serialize::IsNull::No)
    }
}
impl FromSql<diesel::sql_types::Text, Sqlite> for crate::domain::TrackingToken {
    fn from_sql(value: diesel::sqlite::SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        let text = <String as FromSql<diesel::sql_types::Text, Sqlite>>::from_sql(value)?;
        crate::domain::TrackingToken::parse(&text)
            .ok_or_else(|| "malformed tracking token in the database".into())
    }
}

//! Ids are newtypes over UUIDs so that a squad id cannot be passed where a request id is
//! expected. The tracking token is separate from the id: it is what a resident holds, is
//! unguessable (128 random bits) and can be rotated without changing the request.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[derive(diesel::AsExpression, diesel::FromSqlRow, utoipa::ToSchema)]
        #[diesel(sql_type = crate::db::types::DbUuid)]
        #[serde(transparent)]
        #[schema(value_type = String, format = Uuid)]
        pub struct $name(pub Uuid);

        crate::db::types::uuid_sql!($name);

        impl $name {
            /// A new id: a UUIDv7, unique and ordered by creation time, so that inserts
            /// append to the primary-key index instead of splitting pages all over it. Ids are
            /// not secrets (the tracking token is).
            pub fn generate() -> Self {
                $name(Uuid::now_v7())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map($name)
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                $name(u)
            }
        }
    };
}

uuid_id!(
    /// A resident's request.
    RequestId
);
uuid_id!(
    /// A delivery squad.
    SquadId
);
uuid_id!(
    /// A high-risk, controlled or precaution zone.
    ZoneId
);
uuid_id!(
    /// A squad's plan for one shift.
    PlanId
);
uuid_id!(
    /// One delivery point in a plan.
    StopId
);
uuid_id!(
    /// A staff account (coordinator or squad member).
    UserId
);
uuid_id!(
    /// A squad's sign-in link (QR code).
    LoginLinkId
);
uuid_id!(
    /// A script's API token.
    ApiTokenId
);

/// The secret a resident uses to follow their request at `/t/{token}`: 22 characters of
/// URL-safe base64 over 128 random bits.
#[derive(
    Clone,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    diesel::AsExpression,
    diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(transparent)]
pub struct TrackingToken(String);

/// Length of a tracking token in characters.
pub const TRACKING_TOKEN_LEN: usize = 22;

impl TrackingToken {
    /// A fresh unguessable token.
    pub fn new_random() -> Self {
        use base64::Engine as _;
        let bytes: [u8; 16] = rand::random();
        TrackingToken(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Accepts only strings that could be a token, so that junk never reaches a query.
    pub fn parse(s: &str) -> Option<Self> {
        let ok = s.len() == TRACKING_TOKEN_LEN
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| TrackingToken(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TrackingToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_url_safe_and_parse_back() {
        let t = TrackingToken::new_random();
        assert_eq!(t.as_str().len(), TRACKING_TOKEN_LEN);
        assert_eq!(TrackingToken::parse(t.as_str()), Some(t.clone()));
        assert_ne!(t, TrackingToken::new_random());
    }

    #[test]
    fn junk_is_not_a_token() {
        assert!(TrackingToken::parse("").is_none());
        assert!(TrackingToken::parse("short").is_none());
        assert!(TrackingToken::parse("'; DROP TABLE requests;--").is_none());
        assert!(TrackingToken::parse("aaaaaaaaaaaaaaaaaaaaa/").is_none());
    }

    #[test]
    fn ids_parse_and_reject() {
        let id = RequestId::generate();
        assert_eq!(id.to_string().parse::<RequestId>().unwrap(), id);
        assert!("not-a-uuid".parse::<RequestId>().is_err());
    }
}

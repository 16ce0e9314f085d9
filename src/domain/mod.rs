//! Shared pure types of doorstep: typed ids and the small vocabularies (request category,
//! urgency, status, travel mode, skills, zone kind, ...) that the database, the web layer, the
//! optimizer's adapter and the command line all speak.
//!
//! Nothing here touches a database, the network or the file system. Each vocabulary has one
//! stable text code (`as_str`, used in the database, JSON and CSV) and is parsed back with
//! `FromStr`; labels for people live in the message catalogue ([`crate::i18n`]).

mod ids;
mod kinds;

pub use ids::*;
pub use kinds::*;

/// A code that is not one of a vocabulary's values.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{value}`")]
pub struct UnknownCode {
    pub kind: &'static str,
    pub value: String,
}

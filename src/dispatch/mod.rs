//! Dispatch: turns the open requests of a shift into squads' plans, and keeps them right as
//! coordinators move stops and squads mark them.
//!
//! - [`plan_day`] gathers the day's open requests (located, not waiting for review, not
//!   delivered, failed or cancelled), groups them into stops by delivery point (the same
//!   building entrance; every request inside a high-risk zone goes to that zone's checkpoint
//!   and needs the protective-gear skill), turns active squads into the optimizer's vehicles,
//!   prices travel on the engine's road graph of each squad's mode, runs
//!   [`optimize::solve`](crate::optimize::solve) and stores the plans, their stops and the
//!   requests each stop serves in one transaction, with the unserved requests and their reason
//!   and an event for every change. Stops done keep their status and place; a stop under way
//!   stays first with its squad; a coordinator's pinned stop stays with its squad.
//! - [`reassign`] moves one stop to another squad and re-sequences both squads with
//!   [`optimize::resequence`](crate::optimize::resequence), guarded by versions: of two
//!   coordinators moving the same stop exactly one wins, the other gets
//!   [`DispatchError::Conflict`]. [`reoptimize_plan`] re-sequences one squad.
//!
//! It reads and writes through `db`, prices travel with `road` and zones with `zone`; HTTP,
//! pages and the command line are left to `web`, `service` and `main`.

mod build;
mod clock;
mod gather;
mod reassign;
mod settings;
mod store;
mod travel;

use chrono::{DateTime, NaiveDate, Utc};

pub use build::{PlanInput, StopSpec};
pub use reassign::{ReassignOutcome, SquadChange, reassign, reoptimize_plan};
pub use settings::DispatchSettings;
pub use store::{DayReport, SquadReport, UnservedReport};

use crate::db::{Database, DbError};
use crate::optimize::OptimizeError;
use crate::road::{RoadError, RoadNetwork};

/// What can stop a plan or a move.
#[derive(Debug, thiserror::Error)]
pub enum DispatchError {
    /// No map extract is loaded, so travel cannot be priced.
    #[error("no map is loaded: planning needs the district's road network (start with --osm)")]
    NoMap,
    #[error(transparent)]
    Db(#[from] DbError),
    /// Someone changed a stop or plan while this was computed; nothing was stored.
    #[error("conflict: {message}")]
    Conflict {
        message: String,
        /// The stop as it is now, when a move lost the race.
        current: Option<serde_json::Value>,
    },
    #[error("not found: {0}")]
    NotFound(String),
    /// The change cannot be made as asked (a stop under way, a squad without the skill, ...).
    #[error("{field}: {message}")]
    Refused { field: String, message: String },
    /// The problem handed to the optimizer is malformed: a bug or a bad setting.
    #[error("optimizer: {0}")]
    Optimize(#[from] OptimizeError),
    #[error("road network: {0}")]
    Road(#[from] RoadError),
}

impl DispatchError {
    pub(crate) fn refused(field: &str, message: impl Into<String>) -> Self {
        DispatchError::Refused {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    fn from_db(e: DbError) -> Self {
        match e {
            DbError::Conflict(message) => DispatchError::Conflict {
                message,
                current: None,
            },
            other => DispatchError::Db(other),
        }
    }
}

/// Produces (or re-produces) the plans of `date` for every active squad and stores them.
///
/// `roads` is the engine's current network (`None` without a map: [`DispatchError::NoMap`]).
/// `now` decides which squads' shifts have started and how late the deadlines are.
pub fn plan_day(
    db: &Database,
    roads: Option<&RoadNetwork>,
    date: NaiveDate,
    now: DateTime<Utc>,
    settings: &DispatchSettings,
    actor: &str,
) -> Result<DayReport, DispatchError> {
    let roads = roads.ok_or(DispatchError::NoMap)?;
    let day = db
        .read_blocking(|c| gather::load_day(c, date))
        .map_err(DispatchError::from_db)?;
    let input = build::PlanInput::for_day(&day, roads, now, settings)?;
    let plan = crate::optimize::solve(&input.problem, &input.travel, &settings.solve_options())?;
    let changes = store::DayChanges::new(&day, &input, &plan);
    let actor = actor.to_owned();
    let report = db
        .write_blocking(move |c| c.transaction(|c| changes.apply(c, &actor)))
        .map_err(DispatchError::from_db)?;
    Ok(report)
}

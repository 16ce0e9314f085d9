//! What a route sheet shows, read in one go: the squad, its current plan for the day, the
//! stops in order with the households each serves, and the zones they lie in.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::db::plans::{PlanRow, StopRow};
use crate::db::requests::RequestRow;
use crate::db::squads::SquadRow;
use crate::db::zones::ZoneRow;
use crate::db::{Conn, DbError};
use crate::domain::{RequestId, SquadId, ZoneId};

/// One stop with its households, in the order the plan lists them.
pub struct SheetStop {
    pub stop: StopRow,
    pub requests: Vec<RequestRow>,
}

pub struct SheetData {
    pub squad: SquadRow,
    pub plan: Option<PlanRow>,
    pub stops: Vec<SheetStop>,
    pub zones: HashMap<ZoneId, ZoneRow>,
}

pub use crate::db::plans::current_plan;

/// Reads everything a squad's sheet for `date` shows. An unknown squad is
/// [`DbError::NotFound`]; a squad without a plan has no stops.
pub fn load(conn: &mut Conn<'_>, squad: SquadId, date: NaiveDate) -> Result<SheetData, DbError> {
    let squad = crate::db::squads::get(conn, squad)?;
    let plan = current_plan(crate::db::plans::for_squad(conn, squad.id, date)?);
    let stops = match &plan {
        Some(p) => crate::db::plans::stops_of(conn, p.id)?,
        None => Vec::new(),
    };
    let ids: Vec<RequestId> = stops.iter().flat_map(|(_, r)| r.iter().copied()).collect();
    let mut by_id: HashMap<RequestId, RequestRow> = crate::db::requests::get_many(conn, &ids)?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let zones = crate::db::zones::list(conn, true)?
        .into_iter()
        .map(|z| (z.id, z))
        .collect();
    let stops = stops
        .into_iter()
        .map(|(stop, ids)| SheetStop {
            stop,
            requests: ids.iter().filter_map(|id| by_id.remove(id)).collect(),
        })
        .collect();
    Ok(SheetData {
        squad,
        plan,
        stops,
        zones,
    })
}

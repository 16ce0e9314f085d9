//! Fixtures of the browser tests: requests filed as intake files them, routes stored as the
//! dispatch service stores them, and small steps a person takes (dragging, waiting for the
//! board).

use std::time::Duration;

use chrono::Utc;
use fantoccini::Client;
use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};

use super::{Served, find, off, until};
use doorstep::db::plans::{PlanRow, StopRow};
use doorstep::db::requests::RequestRow;
use doorstep::db::squads::SquadRow;
use doorstep::db::{DbError, Timestamp};
use doorstep::domain::{
    PlanId, PlanStatus, RequestId, RequestStatus, Source, StopId, StopStatus, TrackingToken,
};

pub fn request_by_token(s: &Served, token: &str) -> RequestRow {
    let token = TrackingToken::parse(token).expect("a tracking token");
    let db = s.t.db.clone();
    off(move || db.read_blocking(move |c| doorstep::db::requests::get_by_token(c, &token)))
        .expect("the filed request")
}

pub fn request(s: &Served, id: RequestId) -> RequestRow {
    let db = s.t.db.clone();
    off(move || db.read_blocking(move |c| doorstep::db::requests::get(c, id))).expect("request")
}

/// Files a request through intake as the API would, located by the server's own geocoder.
pub fn file(s: &Served, address: &str) -> RequestRow {
    let mut input = crate::common::sample_input();
    input.address = address.to_owned();
    input.phone = format!("139{:08}", rand_digits());
    let valid = doorstep::intake::validate(&input).expect("valid input");
    let db = s.t.db.clone();
    let engine = s.engine.clone();
    off(move || {
        db.write_blocking(move |c| {
            doorstep::intake::file_blocking(c, &valid, Some(&*engine), Source::Api, "test")
                .map(|r| r.0)
        })
    })
    .expect("filed")
}

pub fn rand_digits() -> u32 {
    (uuid::Uuid::new_v4().as_u128() % 100_000_000) as u32
}

/// Today's route for `squad` through `stops` (request, minutes from now of the planned
/// arrival), as the dispatch service stores one; the requests become "assigned".
pub fn route(s: &Served, squad: &SquadRow, stops: &[(&RequestRow, i64)]) -> Vec<StopId> {
    let now = Utc::now();
    let today = now
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8"))
        .date_naive();
    let plan = PlanRow {
        id: PlanId::generate(),
        squad_id: squad.id,
        shift_date: today,
        starts_at: Timestamp(now - chrono::Duration::minutes(30)),
        ends_at: Timestamp(now + chrono::Duration::hours(3)),
        status: PlanStatus::Active,
        distance_m: 1800.0,
        duration_s: 3600.0,
        created_at: Timestamp::now(),
        updated_at: Timestamp::now(),
        version: 1,
    };
    let rows: Vec<(StopRow, Vec<RequestId>)> = stops
        .iter()
        .enumerate()
        .map(|(i, (r, minutes))| {
            let stop = StopRow {
                id: StopId::generate(),
                plan_id: plan.id,
                seq: i as i32,
                label: r.address_text.clone(),
                lon: r.lon.expect("a located request"),
                lat: r.lat.expect("a located request"),
                zone_id: None,
                planned_arrival: Some(Timestamp(now + chrono::Duration::minutes(*minutes))),
                service_s: 180.0,
                leg_distance_m: Some(300.0),
                leg_duration_s: Some(240.0),
                pinned: false,
                status: StopStatus::Pending,
                failure_reason: None,
                proof_note: String::new(),
                completed_at: None,
                updated_at: Timestamp::now(),
                version: 1,
            };
            (stop, vec![r.id])
        })
        .collect();
    let ids: Vec<StopId> = rows.iter().map(|r| r.0.id).collect();
    let reqs: Vec<(RequestId, i32)> = stops.iter().map(|(r, _)| (r.id, r.version)).collect();
    let db = s.t.db.clone();
    off(move || {
        db.write_blocking(move |c| {
            doorstep::db::plans::insert_plan(c, &plan, &rows)?;
            for (id, _) in &reqs {
                let now = doorstep::db::requests::get(c, *id)?;
                doorstep::db::requests::set_status(
                    c,
                    *id,
                    now.version,
                    RequestStatus::Assigned,
                    None,
                    "",
                    "test",
                )?;
            }
            Ok::<_, DbError>(())
        })
    })
    .expect("a route");
    ids
}

/// Drags the element under `css` by (dx, dy) pixels with the mouse.
pub async fn drag(c: &Client, css: &str, dx: f64, dy: f64) {
    let pin = find(c, css).await;
    let moves = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: pin,
            duration: None,
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(150)),
            x: dx / 2.0,
            y: dy / 2.0,
        })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(150)),
            x: dx / 2.0,
            y: dy / 2.0,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    c.perform_actions(moves).await.expect("drag");
}

pub async fn board_loaded(c: &Client) {
    until(
        c,
        "the board's data",
        "var b = document.getElementById('board'); return b && b.getAttribute('data-requests');",
    )
    .await;
    // The map shows the district itself, drawn from the extract.
    until(
        c,
        "the board's map",
        "return parseInt(document.getElementById('map').getAttribute('data-base-features') || '0', 10) > 0;",
    )
    .await;
}

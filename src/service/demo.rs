//! `doorstep demo`: a fresh SQLite file, the bundled sample district, seeded squads, zones
//! and requests; then the server, with the URLs to open printed first.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveTime;

use super::{DbSettings, ServiceError};
use crate::db::squads::SquadRow;
use crate::db::zones::ZoneRow;
use crate::db::{Database, Timestamp};
use crate::domain::{Skill, Source, SquadId, TrackingToken, TravelMode, ZoneId, ZoneKind};
use crate::intake::{self, RequestInput};
use crate::sample::seed::{SeedFile, SeedSquad, SeedZone};

/// What the demo made, for the printout.
pub struct Seeded {
    pub db_path: PathBuf,
    pub osm_path: PathBuf,
    pub squads: usize,
    pub zones: usize,
    pub requests: usize,
    /// A seeded request to open on the tracking page: (token, address).
    pub example: Option<(TrackingToken, String)>,
    /// Demo accounts: (username, role label, squad name or "").
    pub accounts: Vec<(String, String, String)>,
    /// A sign-in link of the first squad: (squad name, path `/l/…`).
    pub squad_link: Option<(String, String)>,
    /// The day's plans made on the seed.
    pub plan: Option<DemoPlan>,
}

/// What the demo planned.
pub struct DemoPlan {
    pub report: crate::dispatch::DayReport,
    /// `?date=…` when the plan is for tomorrow (today's shifts are nearly over), else empty.
    pub date_query: String,
    /// A squad with stops: (name, id).
    pub squad: Option<(String, crate::domain::SquadId)>,
}

/// Plans the seeded district: today, or tomorrow once today's shifts are nearly over.
fn plan_demo_day(
    db: &Database,
    engine: &crate::engine::MapEngine,
) -> Result<DemoPlan, ServiceError> {
    let settings = crate::dispatch::DispatchSettings {
        time_limit_s: 3.0,
        ..Default::default()
    };
    let now = chrono::Utc::now();
    let local = now.with_timezone(&settings.utc_offset);
    let squads = db.read_blocking(|c| crate::db::squads::list(c, false))?;
    let last_end = squads
        .iter()
        .map(|s| s.shift_end)
        .max()
        .unwrap_or(NaiveTime::MIN);
    let left_s = (last_end - local.time()).num_seconds();
    let (date, date_query) = if left_s < 2 * 3600 {
        let d = local.date_naive() + chrono::Duration::days(1);
        (d, format!("?date={}", d.format("%Y-%m-%d")))
    } else {
        (local.date_naive(), String::new())
    };
    let roads = engine.roads();
    let report = crate::dispatch::plan_day(db, Some(&roads), date, now, &settings, "demo")?;
    let squad = report
        .squads
        .iter()
        .filter(|s| s.plan_id.is_some())
        .max_by_key(|s| s.stops)
        .map(|s| (s.name.clone(), s.squad_id));
    Ok(DemoPlan {
        report,
        date_query,
        squad,
    })
}

/// The password of every demo account (a demo on a fresh local database, not a secret).
pub const DEMO_PASSWORD: &str = "doorstep-demo";

/// A coordinator `coord`, one account per squad (`squad1`, ...), and a sign-in link for the
/// first squad.
pub fn add_demo_accounts(db: &Database, seeded: &mut Seeded) -> Result<(), ServiceError> {
    use crate::auth::accounts::{self, NewUser};
    use crate::auth::{AuthError, Role};
    let made = db.write_blocking(|c| {
        Ok((|| {
            let mut out = Vec::new();
            accounts::add_user(
                c,
                &NewUser {
                    username: "coord",
                    display_name: "演示协调员",
                    password: DEMO_PASSWORD,
                    role: Role::Coordinator,
                    squad_id: None,
                },
                "demo",
            )?;
            out.push(("coord".to_owned(), "coordinator".to_owned(), String::new()));
            // In the seed's order (ids are time-ordered), so that squad2 is 第二小分队: the
            // list is sorted by name, and 三 sorts before 二 in Unicode.
            let mut squads = crate::db::squads::list(c, false)?;
            squads.sort_by_key(|s| s.id.0);
            for (i, s) in squads.iter().enumerate() {
                let username = format!("squad{}", i + 1);
                accounts::add_user(
                    c,
                    &NewUser {
                        username: &username,
                        display_name: &s.name,
                        password: DEMO_PASSWORD,
                        role: Role::SquadMember,
                        squad_id: Some(s.id),
                    },
                    "demo",
                )?;
                out.push((username, "squad_member".to_owned(), s.name.clone()));
            }
            let link = match squads.first() {
                Some(s) => {
                    let (secret, _) = accounts::create_link(c, s.id, 72, "demo")?;
                    Some((s.name.clone(), format!("/l/{secret}")))
                }
                None => None,
            };
            Ok::<_, AuthError>((out, link))
        })())
    })??;
    seeded.accounts = made.0;
    seeded.squad_link = made.1;
    Ok(())
}

fn file_err(path: &Path, e: impl std::fmt::Display) -> ServiceError {
    ServiceError::File {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Makes the demo directory afresh: database, map, seed.
pub fn prepare(dir: &Path) -> Result<(Arc<Database>, Seeded), ServiceError> {
    std::fs::create_dir_all(dir).map_err(|e| file_err(dir, e))?;
    let db_path = dir.join("doorstep.db");
    for suffix in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", db_path.display()));
        if p.exists() {
            std::fs::remove_file(&p).map_err(|e| file_err(&p, e))?;
        }
    }
    let osm_path = dir.join(crate::sample::PBF_FILE);
    std::fs::write(&osm_path, crate::sample::EMBEDDED_PBF).map_err(|e| file_err(&osm_path, e))?;

    let settings = DbSettings {
        url: db_path.display().to_string(),
        pool_size: 8,
        write_batch_max: 256,
        timeout: std::time::Duration::from_secs(5),
    };
    let db = super::open_and_migrate(&settings, std::time::Duration::ZERO)?;
    let seed = crate::sample::embedded_seed().map_err(|e| ServiceError::File {
        path: PathBuf::from("data/seed.json"),
        message: e.to_string(),
    })?;
    // The map engine locates the seed's requests as the form would (after the zones are
    // stored, so that it knows them); its caches make the server's own start fast.
    let engine = std::cell::RefCell::new(None);
    let mut seeded = load_seed_located(&db, &seed, || {
        let e = super::start_engine(
            &db,
            &osm_path,
            dir.join("cache"),
            crate::engine::REVIEW_BELOW_DEFAULT,
        )?;
        *engine.borrow_mut() = Some(e.clone());
        Ok(Some(e as Arc<dyn crate::intake::Locator>))
    })?;
    add_demo_accounts(&db, &mut seeded)?;
    if let Some(engine) = engine.into_inner() {
        seeded.plan = Some(plan_demo_day(&db, &engine)?);
    }
    Ok((
        db,
        Seeded {
            db_path,
            osm_path,
            ..seeded
        },
    ))
}

/// Stores the seed's squads and zones, and files its requests through intake (unlocated).
pub fn load_seed(db: &Database, seed: &SeedFile) -> Result<Seeded, ServiceError> {
    load_seed_located(db, seed, || Ok(None))
}

/// [`load_seed`], locating each request as the form would with the locator `make_locator`
/// gives once the squads and zones are stored (so a map engine opened then sees the zones).
pub fn load_seed_located(
    db: &Database,
    seed: &SeedFile,
    make_locator: impl FnOnce() -> Result<Option<Arc<dyn crate::intake::Locator>>, ServiceError>,
) -> Result<Seeded, ServiceError> {
    let now = Timestamp::now();
    let squads: Vec<SquadRow> = seed
        .squads
        .iter()
        .map(|s| squad_row(s, now))
        .collect::<Result<_, _>>()?;
    let zones: Vec<ZoneRow> = seed
        .zones
        .iter()
        .map(|z| zone_row(z, now))
        .collect::<Result<_, _>>()?;
    let inputs: Vec<RequestInput> = seed
        .requests
        .iter()
        .map(|r| {
            serde_json::to_value(r)
                .and_then(serde_json::from_value::<RequestInput>)
                .map_err(|e| ServiceError::Setting {
                    name: "seed request",
                    message: e.to_string(),
                })
        })
        .collect::<Result<_, _>>()?;
    let (n_squads, n_zones) = (squads.len(), zones.len());
    db.write_blocking(move |c| {
        // Seeded squads and zones are changes like any other: the audit log names the seed.
        use crate::db::events::{NewEvent, append};
        for s in &squads {
            crate::db::squads::insert(c, s)?;
            append(
                c,
                &NewEvent::now("seed", "squad.created", "squad", Some(s.id.0))
                    .with_details(serde_json::json!({ "name": s.name })),
            )?;
        }
        for z in &zones {
            crate::db::zones::insert(c, z)?;
            append(
                c,
                &NewEvent::now("seed", "zone.created", "zone", Some(z.id.0))
                    .with_details(serde_json::json!({ "name": z.name, "kind": z.kind })),
            )?;
        }
        Ok(())
    })?;
    let locator = make_locator()?;
    let example = db.write_blocking(move |c| {
        let mut example = None;
        for (i, input) in inputs.iter().enumerate() {
            let valid = intake::validate(input).map_err(|errors| {
                crate::db::DbError::Query(format!("seed request {i} is invalid: {errors:?}"))
            })?;
            let (row, _) =
                intake::file_blocking(c, &valid, locator.as_deref(), Source::Seed, "seed")?;
            if example.is_none() && row.address_text.starts_with("鸿翔名苑") {
                example = Some((row.tracking_token.clone(), row.address_text.clone()));
            }
        }
        Ok(example)
    })?;
    Ok(Seeded {
        db_path: PathBuf::new(),
        osm_path: PathBuf::new(),
        squads: n_squads,
        zones: n_zones,
        requests: seed.requests.len(),
        example,
        accounts: Vec::new(),
        squad_link: None,
        plan: None,
    })
}

fn setting(name: &'static str, message: String) -> ServiceError {
    ServiceError::Setting { name, message }
}

fn squad_row(s: &SeedSquad, now: Timestamp) -> Result<SquadRow, ServiceError> {
    let time = |t: &str| {
        NaiveTime::parse_from_str(t, "%H:%M")
            .map_err(|e| setting("seed squad shift", format!("{t}: {e}")))
    };
    let mode: TravelMode = s
        .travel_mode
        .parse()
        .map_err(|e| setting("seed squad", format!("{e}")))?;
    let skills: Vec<Skill> = s
        .skills
        .iter()
        .map(|k| k.parse().map_err(|e| setting("seed squad", format!("{e}"))))
        .collect::<Result<_, _>>()?;
    let json = |v: &[String]| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
    let skills: Vec<String> = skills.iter().map(|k| k.as_str().to_owned()).collect();
    Ok(SquadRow {
        id: SquadId::generate(),
        name: s.name.clone(),
        members: json(&s.members),
        contact_phone: s.contact_phone.clone(),
        base_name: s.base_name.clone(),
        base_lon: s.base_lon,
        base_lat: s.base_lat,
        travel_mode: mode,
        capacity_items: s.capacity_items,
        capacity_kg: None,
        skills: json(&skills),
        shift_start: time(&s.shift_start)?,
        shift_end: time(&s.shift_end)?,
        areas: json(&s.communities),
        active: true,
        created_at: now,
        updated_at: now,
        version: 1,
    })
}

fn zone_row(z: &SeedZone, now: Timestamp) -> Result<ZoneRow, ServiceError> {
    let kind: ZoneKind = z
        .kind
        .parse()
        .map_err(|e| setting("seed zone", format!("{e}")))?;
    let ring: Vec<[f64; 2]> = z.polygon.iter().map(|&(lon, lat)| [lon, lat]).collect();
    let polygon = serde_json::json!({ "type": "Polygon", "coordinates": [ring] }).to_string();
    Ok(ZoneRow {
        id: ZoneId::generate(),
        name: z.name.clone(),
        kind,
        polygon,
        checkpoint_lon: z.checkpoint.map(|c| c.0),
        checkpoint_lat: z.checkpoint.map(|c| c.1),
        notes: z.notes.clone(),
        active_from: Some(now),
        active_until: None,
        active: true,
        created_at: now,
        updated_at: now,
        version: 1,
    })
}

/// The pages to open, in the order a visitor would: (what, URL, note). Later areas (route
/// sheets, dispatch board) add their lines here.
pub fn links(base: &str, seeded: &Seeded) -> Vec<(&'static str, String, String)> {
    let mut out = vec![("Resident form", format!("{base}/"), "居民申请表".to_owned())];
    if let Some((token, address)) = &seeded.example {
        out.push((
            "Tracking page",
            format!("{base}/t/{token}"),
            format!("a seeded request: {address}"),
        ));
    }
    out.push((
        "Staff sign-in",
        format!("{base}/login"),
        format!("coord / {DEMO_PASSWORD} (coordinator), squad1 / {DEMO_PASSWORD} (a squad)"),
    ));
    if let Some((squad, path)) = &seeded.squad_link {
        out.push((
            "Squad QR link",
            format!("{base}{path}"),
            format!("signs a phone in to {squad}'s sheet, 72 h"),
        ));
    }
    if let Some(plan) = &seeded.plan {
        let q = &plan.date_query;
        out.push((
            "Dispatch board",
            format!("{base}/coord{q}"),
            format!(
                "sign in as coord; the plans of {}: {} stop(s) on routes, {} unserved",
                plan.report.date,
                plan.report.served_stops,
                plan.report.unserved.len()
            ),
        ));
        if let Some((name, id)) = &plan.squad {
            out.push((
                "Squad sheet",
                format!("{base}/squad/{id}{q}"),
                format!("{name}'s stops in order (as coord, or the squad's account)"),
            ));
        }
    }
    out.push((
        "API (OpenAPI 3)",
        format!("{base}/api/v1/openapi.json"),
        String::new(),
    ));
    out
}

/// The printout before serving.
pub fn banner(listen: &str, seeded: &Seeded) -> String {
    let base = format!("http://{listen}");
    let mut s = format!(
        "doorstep demo: a fictional district (雪城市松岚区), fresh database {}\n\
         map {}\nseeded {} squads, {} zones, {} requests\n\n",
        seeded.db_path.display(),
        seeded.osm_path.display(),
        seeded.squads,
        seeded.zones,
        seeded.requests
    );
    for (what, url, note) in links(&base, seeded) {
        if note.is_empty() {
            s.push_str(&format!("  {what:<18} {url}\n"));
        } else {
            s.push_str(&format!("  {what:<18} {url}   ({note})\n"));
        }
    }
    if !seeded.accounts.is_empty() {
        s.push_str(&format!("\nDemo accounts (password {DEMO_PASSWORD}):\n"));
        for (user, role, squad) in &seeded.accounts {
            s.push_str(&format!("  {user:<10} {role:<14} {squad}\n"));
        }
    }
    s.push_str("\nStop with Ctrl-C.\n");
    s
}

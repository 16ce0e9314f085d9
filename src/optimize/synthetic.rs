//! A synthetic lockdown district for benchmarks, tests and demos: communities of buildings
//! around a few subdistrict bases, squads on foot, tricycle and van, residents' hours,
//! deadlines by urgency, a sealed high-risk zone that needs protective gear, areas per squad.
//!
//! Travel is a dense matrix per profile built from straight-line distance times a detour
//! factor — the same shape of data the road network module produces from OpenStreetMap, so
//! the solver is timed on realistic memory traffic. Deterministic for a seed.

use uuid::Uuid;

use super::rng::Rng;
use super::{
    AreaId, AreaRule, Need, Problem, ServiceTime, Settings, SkillSet, Squad, SquadId, Stop, StopId,
    TimeWindow, TravelCost, Urgency,
};

/// Size and shape of the district.
#[derive(Clone, Debug)]
pub struct DistrictParams {
    /// Delivery points.
    pub stops: usize,
    /// Squads.
    pub squads: usize,
    /// Communities (areas).
    pub communities: usize,
    /// Subdistrict bases squads start from.
    pub bases: usize,
    /// Side of the square district, metres.
    pub side_m: f64,
    /// Random seed.
    pub seed: u64,
}

impl Default for DistrictParams {
    /// Nangang-sized: 5,000 stops, 100 squads, 65 communities, 14 bases, 8 km across.
    fn default() -> Self {
        DistrictParams {
            stops: 5000,
            squads: 100,
            communities: 65,
            bases: 14,
            side_m: 8000.0,
            seed: 1,
        }
    }
}

/// Dense travel matrices of a district: one duration matrix per profile, one distance matrix.
pub struct DistrictCost {
    n: usize,
    distance_m: Vec<f32>,
    duration_s: Vec<Vec<f32>>,
}

impl TravelCost for DistrictCost {
    #[inline]
    fn location_count(&self) -> usize {
        self.n
    }
    #[inline]
    fn profile_count(&self) -> usize {
        self.duration_s.len()
    }
    #[inline]
    fn duration_s(&self, profile: usize, from: usize, to: usize) -> f64 {
        f64::from(self.duration_s[profile][from * self.n + to])
    }
    #[inline]
    fn distance_m(&self, _profile: usize, from: usize, to: usize) -> f64 {
        f64::from(self.distance_m[from * self.n + to])
    }
}

/// Profiles: 0 on foot, 1 electric tricycle, 2 van. Speeds in m/s on the detoured distance.
const SPEED_M_S: [f32; 3] = [1.2, 3.5, 7.0];
/// Street distance over straight-line distance.
const DETOUR: f64 = 1.3;
/// Skill 0: protective gear for the sealed zone.
pub const PROTECTIVE_GEAR: u8 = 0;

/// Generates a district problem and its travel matrices.
pub fn district(p: &DistrictParams) -> (Problem, DistrictCost) {
    let mut rng = Rng::new(p.seed);
    let side = p.side_m;
    let mut coords: Vec<(f64, f64)> = Vec::with_capacity(p.stops + p.bases);
    let communities: Vec<(f64, f64)> = (0..p.communities)
        .map(|_| {
            (
                side * (0.05 + 0.9 * rng.unit()),
                side * (0.05 + 0.9 * rng.unit()),
            )
        })
        .collect();
    // Two communities hold a sealed high-risk zone, served at its checkpoint.
    let sealed = [0usize, 1usize.min(p.communities.saturating_sub(1))];
    let gauss = |rng: &mut Rng| {
        // Box–Muller.
        let (u1, u2) = (rng.unit().max(1e-12), rng.unit());
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    };
    let mut stops = Vec::with_capacity(p.stops);
    for k in 0..p.stops {
        let c = k % p.communities.max(1);
        let (cx, cy) = communities[c];
        let x = (cx + 250.0 * gauss(&mut rng)).clamp(0.0, side);
        let y = (cy + 250.0 * gauss(&mut rng)).clamp(0.0, side);
        coords.push((x, y));
        let households = 1 + rng.below(16) as u32;
        let urgency = match rng.below(100) {
            0..5 => Urgency::ExtremelyUrgent,
            5..30 => Urgency::Urgent,
            _ => Urgency::Normal,
        };
        let need = match rng.below(100) {
            0..2 => Need::MedicalEmergency,
            2..20 => Need::Medicine,
            20..30 => Need::InfantSupplies,
            _ => Need::Food,
        };
        // Filed between 06:00 and 10:00; extremely urgent within 2 h, urgent the same day.
        let filed = 6.0 * 3600.0 + 4.0 * 3600.0 * rng.unit();
        let deadline = match urgency {
            Urgency::ExtremelyUrgent => Some(filed + 2.0 * 3600.0),
            Urgency::Urgent => Some(20.0 * 3600.0),
            Urgency::Normal => None,
        };
        let time_windows = if rng.below(4) == 0 {
            // Residents at home in one block of the day.
            let start = [8.0, 10.0, 13.0, 15.0, 17.0][rng.below(5)] * 3600.0;
            vec![TimeWindow {
                start_s: start,
                end_s: start + 3.0 * 3600.0,
            }]
        } else {
            vec![]
        };
        let gear = sealed.contains(&c) && rng.below(2) == 0;
        stops.push(Stop {
            id: StopId(Uuid::from_u128(k as u128 + 1)),
            location: k,
            households,
            service: ServiceTime {
                base_s: 60.0,
                per_household_s: 20.0,
            },
            demand: f64::from(households) * (0.2 + 0.4 * rng.unit()),
            time_windows,
            deadline_s: deadline,
            need,
            urgency,
            required_skills: if gear {
                SkillSet::NONE.with(PROTECTIVE_GEAR)
            } else {
                SkillSet::NONE
            },
            area: Some(AreaId(c as u32)),
            pinned_squad: None,
        });
    }
    let bases: Vec<usize> = (0..p.bases)
        .map(|_| {
            coords.push((
                side * (0.1 + 0.8 * rng.unit()),
                side * (0.1 + 0.8 * rng.unit()),
            ));
            coords.len() - 1
        })
        .collect();
    let mut squads = Vec::with_capacity(p.squads);
    for q in 0..p.squads {
        let base = bases[q % bases.len().max(1)];
        let profile = match q % 5 {
            0 => 0,
            1 | 2 => 1,
            _ => 2,
        };
        let capacity = [60.0, 160.0, 400.0][profile];
        // Cover the communities nearest the base.
        let (bx, by) = coords[base];
        let mut by_distance: Vec<(f64, usize)> = communities
            .iter()
            .enumerate()
            .map(|(c, &(x, y))| ((x - bx).hypot(y - by), c))
            .collect();
        by_distance.sort_by(|a, b| a.0.total_cmp(&b.0));
        let covered = 4 + rng.below(5);
        let areas = by_distance
            .iter()
            .take(covered)
            .map(|&(_, c)| AreaId(c as u32))
            .collect();
        squads.push(Squad {
            id: SquadId(Uuid::from_u128(1_000_000 + q as u128)),
            start_location: base,
            end_location: base,
            shift: TimeWindow {
                start_s: 8.0 * 3600.0,
                end_s: 20.0 * 3600.0,
            },
            capacity,
            profile,
            skills: if q % 7 == 0 {
                SkillSet::NONE.with(PROTECTIVE_GEAR)
            } else {
                SkillSet::NONE
            },
            areas,
            locked_stops: vec![],
        });
    }
    let n = coords.len();
    let mut distance_m = Vec::with_capacity(n * n);
    for &(xa, ya) in &coords {
        for &(xb, yb) in &coords {
            distance_m.push(((xa - xb).hypot(ya - yb) * DETOUR) as f32);
        }
    }
    let duration_s = SPEED_M_S
        .iter()
        .map(|&v| distance_m.iter().map(|d| d / v).collect())
        .collect();
    let settings = Settings {
        area_rule: AreaRule::Soft { penalty_s: 900.0 },
        ..Settings::default()
    };
    let problem = Problem {
        stops,
        squads,
        settings,
        initial_routes: None,
    };
    (
        problem,
        DistrictCost {
            n,
            distance_m,
            duration_s,
        },
    )
}

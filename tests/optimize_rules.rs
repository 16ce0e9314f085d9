//! The optimizer's rules seen through its public API: every plan is checked by the independent
//! checker, and each rule (skills, areas, locks, pins, deadlines, priorities, hours) is shown to
//! change the plan the way a coordinator expects.

use doorstep::optimize::checker::check;
use doorstep::optimize::{
    AreaId, AreaRule, DenseMatrices, Goal, Need, ObjectiveWeights, Plan, Problem, ProfileMatrices,
    ServiceTime, Settings, SkillSet, SolveOptions, Squad, SquadId, Stop, StopId, TimeWindow,
    UnservedReason, Urgency, resequence, solve,
};
use uuid::Uuid;

/// Locations on a line plus a base at 0; walking 1 m/s, distance = duration.
fn line_matrix(xs: &[f64]) -> DenseMatrices<f64> {
    let n = xs.len();
    let mut v = Vec::with_capacity(n * n);
    for a in xs {
        for b in xs {
            v.push((a - b).abs());
        }
    }
    DenseMatrices::single(n, v).unwrap()
}

fn stop(k: usize, location: usize) -> Stop {
    Stop {
        id: StopId(Uuid::from_u128(k as u128 + 1)),
        location,
        households: 2,
        service: ServiceTime {
            base_s: 60.0,
            per_household_s: 30.0,
        },
        demand: 1.0,
        time_windows: vec![],
        deadline_s: None,
        need: Need::Food,
        urgency: Urgency::Normal,
        required_skills: SkillSet::NONE,
        area: None,
        pinned_squad: None,
    }
}

fn squad(k: usize, base: usize) -> Squad {
    Squad {
        id: SquadId(Uuid::from_u128(1000 + k as u128)),
        start_location: base,
        end_location: base,
        shift: TimeWindow {
            start_s: 8.0 * 3600.0,
            end_s: 20.0 * 3600.0,
        },
        capacity: 100.0,
        profile: 0,
        skills: SkillSet::NONE,
        areas: vec![],
        locked_stops: vec![],
    }
}

/// Base at 0, `n` stops at 100 m, 200 m, ...
fn street(n: usize, squads: usize) -> (Problem, DenseMatrices<f64>) {
    let xs: Vec<f64> = (0..=n).map(|k| 100.0 * k as f64).collect();
    let problem = Problem {
        stops: (0..n).map(|k| stop(k, k + 1)).collect(),
        squads: (0..squads).map(|k| squad(k, 0)).collect(),
        ..Default::default()
    };
    (problem, line_matrix(&xs))
}

fn quick() -> SolveOptions {
    SolveOptions {
        time_limit_s: 0.3,
        max_iterations: Some(300),
        seed: 7,
        threads: 2,
        minimize_vehicles: false,
    }
}

fn solved(problem: &Problem, m: &DenseMatrices<f64>) -> Plan {
    let plan = solve(problem, m, &quick()).unwrap();
    let report = check(problem, m, &plan);
    assert!(report.is_valid(), "checker: {:?}", report.violations);
    plan
}

fn squad_of(plan: &Plan, stop: usize) -> Option<usize> {
    plan.routes
        .iter()
        .find(|r| r.visits.iter().any(|v| v.stop == stop))
        .map(|r| r.squad)
}

#[test]
fn serves_every_stop_when_it_fits() {
    let (mut p, m) = street(12, 2);
    p.settings.weights.balance = 0.0;
    let plan = solved(&p, &m);
    assert!(plan.unserved.is_empty());
    assert_eq!(plan.summary.served, 12);
    // One squad walking out and back covers the street best.
    assert!(
        plan.summary.distance_m <= 2.0 * 1200.0 + 1e-6,
        "{}",
        plan.summary.distance_m
    );
}

#[test]
fn stop_needing_protective_gear_goes_to_a_squad_with_it() {
    let (mut p, m) = street(6, 2);
    let gear = SkillSet::NONE.with(0);
    p.stops[3].required_skills = gear;
    p.squads[1].skills = gear;
    let plan = solved(&p, &m);
    assert_eq!(squad_of(&plan, 3), Some(1));
}

#[test]
fn nobody_with_the_skill_is_explained() {
    let (mut p, m) = street(4, 1);
    p.stops[2].required_skills = SkillSet::NONE.with(5);
    let plan = solved(&p, &m);
    assert_eq!(plan.unserved.len(), 1);
    assert_eq!(plan.unserved[0].stop, 2);
    assert_eq!(plan.unserved[0].reason, UnservedReason::NoSquadWithSkill);
}

#[test]
fn hard_areas_keep_squads_home_and_soft_areas_bend() {
    let (mut p, m) = street(6, 2);
    for (k, s) in p.stops.iter_mut().enumerate() {
        s.area = Some(AreaId(if k < 3 { 1 } else { 2 }));
    }
    p.squads[0].areas = vec![AreaId(1)];
    p.squads[1].areas = vec![AreaId(2)];
    let plan = solved(&p, &m);
    for k in 0..6 {
        assert_eq!(
            squad_of(&plan, k),
            Some(if k < 3 { 0 } else { 1 }),
            "stop {k}"
        );
    }
    // Outside every area under the hard rule: explained.
    p.stops[5].area = Some(AreaId(9));
    let plan = solved(&p, &m);
    let u: Vec<_> = plan.unserved.iter().map(|u| (u.stop, u.reason)).collect();
    assert_eq!(u, vec![(5, UnservedReason::OutsideEveryArea)]);
    // Soft rule: served anyway, by someone.
    p.settings.area_rule = AreaRule::Soft { penalty_s: 600.0 };
    let plan = solved(&p, &m);
    assert!(plan.unserved.is_empty());
}

#[test]
fn locked_stops_open_their_route_in_order() {
    let (mut p, m) = street(8, 2);
    p.squads[1].locked_stops = vec![6, 2];
    let plan = solved(&p, &m);
    let r = plan.routes.iter().find(|r| r.squad == 1).unwrap();
    assert_eq!(r.visits[0].stop, 6);
    assert_eq!(r.visits[1].stop, 2);
    assert!(r.visits[0].locked && r.visits[1].locked);
}

#[test]
fn pinned_stop_stays_with_the_coordinators_squad() {
    let (mut p, m) = street(8, 2);
    p.stops[7].pinned_squad = Some(1);
    p.stops[0].pinned_squad = Some(0);
    let plan = solved(&p, &m);
    assert_eq!(squad_of(&plan, 7), Some(1));
    assert_eq!(squad_of(&plan, 0), Some(0));
}

#[test]
fn unreachable_stop_is_explained_not_an_error() {
    let (p, _) = street(3, 1);
    let mut v = vec![0.0; 16];
    for a in 0..4 {
        for b in 0..4 {
            v[a * 4 + b] = if a == b {
                0.0
            } else if a == 3 || b == 3 {
                f64::INFINITY
            } else {
                100.0
            };
        }
    }
    let m = DenseMatrices::single(4, v).unwrap();
    let plan = solved(&p, &m);
    assert_eq!(plan.unserved.len(), 1);
    assert_eq!(plan.unserved[0].stop, 2);
    assert_eq!(plan.unserved[0].reason, UnservedReason::Unreachable);
}

#[test]
fn zero_capacity_serves_nothing_with_reasons() {
    let (mut p, m) = street(3, 1);
    p.squads[0].capacity = 0.0;
    let plan = solved(&p, &m);
    assert_eq!(plan.unserved.len(), 3);
    assert!(
        plan.unserved
            .iter()
            .all(|u| u.reason == UnservedReason::ExceedsCapacity)
    );
}

#[test]
fn deadline_already_past_is_served_late_or_explained() {
    let (mut p, m) = street(3, 1);
    p.stops[1].deadline_s = Some(3600.0); // 01:00, the shift starts at 08:00
    let plan = solved(&p, &m);
    assert!(plan.unserved.is_empty());
    assert_eq!(plan.summary.missed_deadlines, 1);
    p.settings.late_service = false;
    let plan = solved(&p, &m);
    let u: Vec<_> = plan.unserved.iter().map(|u| (u.stop, u.reason)).collect();
    assert_eq!(u, vec![(1, UnservedReason::DeadlineCannotBeMet)]);
}

#[test]
fn deadlines_reorder_the_route() {
    let (mut p, m) = street(6, 1);
    // The far stop is extremely urgent: it must be served within 15 minutes of 08:00.
    p.stops[5].deadline_s = Some(8.0 * 3600.0 + 900.0);
    p.stops[5].urgency = Urgency::ExtremelyUrgent;
    let plan = solved(&p, &m);
    assert_eq!(plan.summary.missed_deadlines, 0);
    let v = plan.routes[0].visits.iter().find(|v| v.stop == 5).unwrap();
    assert!(v.start_s <= 8.0 * 3600.0 + 900.0 + 1e-6);
    assert_eq!(v.late_s, 0.0);
    // Without the deadline the natural sweep serves it last, after 08:15.
    p.stops[5].deadline_s = None;
    let plan = solved(&p, &m);
    let v = plan.routes[0].visits.iter().find(|v| v.stop == 5).unwrap();
    assert!(v.start_s > 8.0 * 3600.0 + 900.0);
}

#[test]
fn medicine_first_when_not_everything_fits() {
    let (mut p, m) = street(4, 1);
    p.squads[0].capacity = 2.0;
    p.stops[3].need = Need::Medicine;
    p.stops[2].need = Need::MedicalEmergency;
    let plan = solved(&p, &m);
    let served: Vec<usize> = plan.routes[0].visits.iter().map(|v| v.stop).collect();
    assert!(served.contains(&3) && served.contains(&2), "{served:?}");
    assert!(
        plan.unserved
            .iter()
            .all(|u| u.reason == UnservedReason::NoCapacityLeft)
    );
}

#[test]
fn several_time_windows_are_respected() {
    let (mut p, m) = street(4, 1);
    // Stop 0 is next door but only available in the afternoon or late evening.
    p.stops[0].time_windows = vec![
        TimeWindow {
            start_s: 14.0 * 3600.0,
            end_s: 15.0 * 3600.0,
        },
        TimeWindow {
            start_s: 19.0 * 3600.0,
            end_s: 19.5 * 3600.0,
        },
    ];
    let plan = solved(&p, &m);
    let v = plan.routes[0].visits.iter().find(|v| v.stop == 0).unwrap();
    assert!(
        v.start_s >= 14.0 * 3600.0 - 1e-6 && v.start_s <= 15.0 * 3600.0 + 1e-6,
        "{}",
        v.start_s
    );
}

#[test]
fn balance_spreads_work_across_squads() {
    let (mut p, m) = street(10, 3);
    p.settings.weights =
        ObjectiveWeights::from_order([Goal::Serve, Goal::Deadlines, Goal::Balance, Goal::Travel]);
    let balanced = solved(&p, &m);
    p.settings.weights.balance = 0.0;
    let lean = solved(&p, &m);
    assert!(
        balanced.summary.longest_day_s < lean.summary.longest_day_s,
        "{} vs {}",
        balanced.summary.longest_day_s,
        lean.summary.longest_day_s
    );
    assert!(balanced.summary.squads_used > lean.summary.squads_used);
}

#[test]
fn malformed_input_names_the_field() {
    let (mut p, m) = street(3, 1);
    p.stops[1].service.base_s = -5.0;
    let e = solve(&p, &m, &quick()).unwrap_err().to_string();
    assert!(e.contains("stops[1].service.base_s"), "{e}");
    let (p, _) = street(3, 1);
    let bad = DenseMatrices::try_new(
        4,
        vec![ProfileMatrices {
            duration_s: vec![0.0; 15],
            distance_m: None,
        }],
    );
    assert!(
        bad.unwrap_err()
            .to_string()
            .contains("matrices[0].duration_s")
    );
    let small = line_matrix(&[0.0, 1.0]);
    let e = solve(&p, &small, &quick()).unwrap_err().to_string();
    assert!(e.contains("stops[1].location"), "{e}");
}

#[test]
fn nan_and_negative_values_are_refused_by_field() {
    let refused = |p: &Problem, m: &DenseMatrices<f64>, field: &str| {
        let e = solve(p, m, &quick()).unwrap_err().to_string();
        assert!(e.contains(field), "expected {field} in: {e}");
    };
    let (mut p, m) = street(3, 1);
    p.stops[2].demand = f64::NAN;
    refused(&p, &m, "stops[2].demand");
    let (mut p, m) = street(3, 1);
    p.stops[0].time_windows = vec![TimeWindow {
        start_s: -60.0,
        end_s: 3600.0,
    }];
    refused(&p, &m, "stops[0].time_windows[0]");
    let (mut p, m) = street(3, 1);
    p.stops[0].time_windows = vec![TimeWindow {
        start_s: 7200.0,
        end_s: 3600.0,
    }];
    refused(&p, &m, "stops[0].time_windows[0]");
    let (mut p, m) = street(3, 1);
    p.stops[1].deadline_s = Some(f64::NAN);
    refused(&p, &m, "stops[1].deadline_s");
    let (mut p, m) = street(3, 1);
    p.squads[0].shift.end_s = f64::INFINITY;
    refused(&p, &m, "squads[0].shift");
    let (mut p, m) = street(3, 1);
    p.squads[0].capacity = -1.0;
    refused(&p, &m, "squads[0].capacity");
    // A NaN or negative travel time in a matrix names the entry.
    let mut v = vec![1.0; 16];
    v[6] = f64::NAN;
    let e = DenseMatrices::single(4, v).unwrap_err().to_string();
    assert!(e.contains("matrices[0].duration_s[1][2]"), "{e}");
    let mut v = vec![1.0; 16];
    v[13] = -3.0;
    let e = DenseMatrices::single(4, v).unwrap_err().to_string();
    assert!(e.contains("[3][1]"), "{e}");
    // A squad's base outside the matrix.
    let (mut p, m) = street(3, 1);
    p.squads[0].start_location = 99;
    refused(&p, &m, "squads[0].start_location");
}

#[test]
fn same_seed_and_budget_give_the_same_plan() {
    let xs: Vec<f64> = (0..40).map(|k| ((k * 37) % 101) as f64 * 13.0).collect();
    let m = line_matrix(&xs);
    let p = Problem {
        stops: (1..40).map(|k| stop(k, k)).collect(),
        squads: (0..4)
            .map(|k| {
                let mut s = squad(k, 0);
                s.capacity = 12.0;
                s
            })
            .collect(),
        settings: Settings::default(),
        initial_routes: None,
    };
    let a = solve(&p, &m, &quick()).unwrap();
    let b = solve(&p, &m, &quick()).unwrap();
    assert_eq!(a, b);
}

#[test]
fn resequencing_two_squads_after_a_move_is_fast_and_valid() {
    let (p, m) = street(30, 2);
    let first = solved(&p, &m);
    // The coordinator moves one stop of squad 0 to squad 1.
    let mut routes: Vec<(usize, Vec<usize>)> = first
        .routes
        .iter()
        .map(|r| (r.squad, r.visits.iter().map(|v| v.stop).collect()))
        .collect();
    if routes.len() < 2 {
        let other = 1 - routes[0].0;
        routes.push((other, vec![]));
    }
    let moved = routes[0].1.remove(0);
    routes[1].1.push(moved);
    let opts = SolveOptions {
        time_limit_s: 0.15,
        max_iterations: None,
        ..quick()
    };
    let t = std::time::Instant::now();
    let plan = resequence(&p, &m, &routes, &opts).unwrap();
    assert!(t.elapsed().as_secs_f64() < 1.0);
    assert_eq!(squad_of(&plan, moved), Some(routes[1].0));
    assert!(plan.unserved.is_empty());
    let served: usize = plan.routes.iter().map(|r| r.visits.len()).sum();
    assert_eq!(served, 30);
}

#[test]
fn empty_and_degenerate_problems_give_plans_not_panics() {
    let (p, m) = street(0, 2);
    let plan = solved(&p, &m);
    assert!(plan.routes.is_empty() && plan.unserved.is_empty());
    let (p, m) = street(3, 0);
    let plan = solved(&p, &m);
    assert_eq!(plan.unserved.len(), 3);
    assert!(
        plan.unserved
            .iter()
            .all(|u| u.reason == UnservedReason::NoSquadAvailable)
    );
    let (mut p, m) = street(1, 1);
    p.squads[0].shift = TimeWindow {
        start_s: 0.0,
        end_s: 0.0,
    };
    let plan = solved(&p, &m);
    assert_eq!(plan.unserved.len(), 1);
    assert_eq!(plan.unserved[0].reason, UnservedReason::OutsideHours);
}

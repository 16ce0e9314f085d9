//! Doorstep-sized planning benchmark: a synthetic district of 5,000 stops and 100 squads
//! (foot, tricycle, van; residents' hours; deadlines; a sealed zone needing protective gear;
//! soft areas) planned within 30 s, then two squads re-sequenced after a coordinator moves a
//! stop between them within 200 ms.
//!
//! Baseline measured in the same run: the solver's construction and one local-search descent
//! without the metaheuristic. Every plan goes through the independent checker.
//!
//! `cargo bench --bench doorstep_plan` (env `DOORSTEP_STOPS`, `DOORSTEP_SQUADS`,
//! `DOORSTEP_PLAN_S` shrink or stretch it).

use std::time::Instant;

use doorstep::optimize::checker::check;
use doorstep::optimize::synthetic::{DistrictParams, district};
use doorstep::optimize::{Plan, Problem, SolveOptions, TravelCost, resequence, solve};

fn env(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn report<C: TravelCost>(
    case: &str,
    problem: &Problem,
    cost: &C,
    plan: &Plan,
    seconds: f64,
) -> bool {
    let rep = check(problem, cost, plan);
    let mut reasons: Vec<(&str, usize)> = Vec::new();
    for u in &plan.unserved {
        match reasons.iter_mut().find(|(c, _)| *c == u.reason.code()) {
            Some(e) => e.1 += 1,
            None => reasons.push((u.reason.code(), 1)),
        }
    }
    let reasons: Vec<String> = reasons
        .iter()
        .map(|(c, n)| format!("\"{c}\":{n}"))
        .collect();
    println!(
        "{{\"case\":\"{case}\",\"seconds\":{seconds:.3},\"served\":{},\"unserved\":{},\"unserved_by_reason\":{{{}}},\"missed_deadlines\":{},\"longest_day_h\":{:.3},\"travel_h\":{:.2},\"distance_km\":{:.1},\"squads_used\":{},\"iterations\":{},\"valid\":{}}}",
        plan.summary.served,
        plan.summary.unserved,
        reasons.join(","),
        plan.summary.missed_deadlines,
        plan.summary.longest_day_s / 3600.0,
        plan.summary.travel_s / 3600.0,
        plan.summary.distance_m / 1000.0,
        plan.summary.squads_used,
        plan.summary.iterations,
        rep.is_valid(),
    );
    for v in rep.violations.iter().take(5) {
        eprintln!("{case}: {v}");
    }
    rep.is_valid()
}

fn main() {
    let params = DistrictParams {
        stops: env("DOORSTEP_STOPS", 5000.0) as usize,
        squads: env("DOORSTEP_SQUADS", 100.0) as usize,
        ..DistrictParams::default()
    };
    let plan_s = env("DOORSTEP_PLAN_S", 28.0);
    let t = Instant::now();
    let (problem, cost) = district(&params);
    eprintln!(
        "district: {} stops, {} squads, {} locations, generated in {:.2} s",
        problem.stops.len(),
        problem.squads.len(),
        cost.location_count(),
        t.elapsed().as_secs_f64()
    );

    let baseline = SolveOptions {
        time_limit_s: 60.0,
        max_iterations: Some(0),
        seed: 1,
        threads: 1,
        minimize_vehicles: false,
    };
    let t = Instant::now();
    let base = match solve(&problem, &cost, &baseline) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("baseline failed: {e}");
            std::process::exit(1);
        }
    };
    let base_s = t.elapsed().as_secs_f64();
    let mut ok = report(
        "baseline_construction_and_descent",
        &problem,
        &cost,
        &base,
        base_s,
    );

    let full = SolveOptions {
        time_limit_s: plan_s,
        max_iterations: None,
        seed: 1,
        threads: 2,
        minimize_vehicles: false,
    };
    let t = Instant::now();
    let plan = match solve(&problem, &cost, &full) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("plan failed: {e}");
            std::process::exit(1);
        }
    };
    let full_s = t.elapsed().as_secs_f64();
    ok &= report("plan", &problem, &cost, &plan, full_s);
    let objective = |p: &Plan| doorstep::optimize::objective(&problem, p);
    println!(
        "{{\"case\":\"plan_vs_baseline\",\"objective_baseline\":{:.0},\"objective_plan\":{:.0},\"improvement_pct\":{:.2},\"plan_seconds\":{full_s:.3},\"bar_seconds\":30,\"meets_bar\":{}}}",
        objective(&base),
        objective(&plan),
        100.0 * (objective(&base) - objective(&plan)) / objective(&base).max(1e-9),
        full_s <= 30.0
    );

    // A coordinator moves the last stop of the busiest squad to the squad whose base is nearest.
    let mut routes: Vec<(usize, Vec<usize>)> = plan
        .routes
        .iter()
        .map(|r| (r.squad, r.visits.iter().map(|v| v.stop).collect()))
        .collect();
    routes.sort_by_key(|(_, s)| std::cmp::Reverse(s.len()));
    if routes.len() >= 2 {
        let (from_squad, mut from_stops) = routes[0].clone();
        let from_base = problem.squads[from_squad].start_location;
        let (to_squad, mut to_stops) = routes[1..]
            .iter()
            .min_by(|a, b| {
                let da = cost.duration_s(0, from_base, problem.squads[a.0].start_location);
                let db = cost.duration_s(0, from_base, problem.squads[b.0].start_location);
                da.total_cmp(&db)
            })
            .cloned()
            .unwrap_or_else(|| routes[1].clone());
        if let Some(moved) = from_stops.pop() {
            to_stops.push(moved);
            let two = vec![(from_squad, from_stops), (to_squad, to_stops)];
            let opts = SolveOptions {
                time_limit_s: 0.15,
                max_iterations: None,
                seed: 1,
                threads: 2,
                minimize_vehicles: false,
            };
            let t = Instant::now();
            match resequence(&problem, &cost, &two, &opts) {
                Ok(re) => {
                    let re_s = t.elapsed().as_secs_f64();
                    let served: usize = re.routes.iter().map(|r| r.visits.len()).sum();
                    // The day's plan with the two squads' new routes must pass the checker.
                    let mut merged = plan.clone();
                    merged
                        .routes
                        .retain(|r| r.squad != from_squad && r.squad != to_squad);
                    merged.routes.extend(re.routes.iter().cloned());
                    merged.routes.sort_by_key(|r| r.squad);
                    merged.unserved.extend(re.unserved.iter().cloned());
                    let rep = check(&problem, &cost, &merged);
                    for v in rep.violations.iter().take(5) {
                        eprintln!("resequence: {v}");
                    }
                    let valid = rep.is_valid();
                    println!(
                        "{{\"case\":\"resequence_two_squads\",\"stops\":{},\"served\":{served},\"unserved\":{},\"seconds\":{re_s:.3},\"bar_seconds\":0.2,\"meets_bar\":{},\"valid\":{valid}}}",
                        two.iter().map(|(_, s)| s.len()).sum::<usize>(),
                        re.unserved.len(),
                        re_s <= 0.2
                    );
                    ok &= valid && re_s <= 0.2;
                }
                Err(e) => {
                    eprintln!("resequence failed: {e}");
                    ok = false;
                }
            }
        }
    }
    ok &= full_s <= 30.0;
    if !ok {
        std::process::exit(2);
    }
}

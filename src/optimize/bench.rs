//! `doorstep bench-vrp`: solve literature instances, check every solution independently, and
//! compare with the best known — one JSON line per instance, then the means per family.
//!
//! Solomon instances use the hierarchical objective (fewest vehicles, then distance) against
//! `BKS.json`'s hierarchical entry; with `fast` they are solved for distance alone in at most
//! one second and compared with the distance-only entry. CVRPLIB instances are distance-only
//! with the `.sol` beside them as best known. With an output directory every solution is
//! written in the CVRPLIB `.sol` form (customer numbers as in the instance file).
//!
//! For reproducible profiling, the environment variable `DOORSTEP_BENCH_ITERATIONS=N` replaces
//! the time budget by N iterations per thread (the result then depends only on the seed).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use super::checker;
use super::instance::{self, InstanceKind};
use super::{OptimizeError, Plan, SolveOptions, solve};

/// Options of a benchmark run.
#[derive(Clone, Debug)]
pub struct BenchOptions {
    /// Seconds per instance (default 10, or 1 with `fast`).
    pub time_limit_s: Option<f64>,
    /// Distance only, one second per instance.
    pub fast: bool,
    /// Random seed.
    pub seed: u64,
    /// Threads per instance.
    pub threads: usize,
    /// Where to write `.sol` files.
    pub out: Option<PathBuf>,
}

/// One instance's result line.
#[derive(Clone, Debug, Serialize)]
pub struct BenchLine {
    /// Instance name.
    pub instance: String,
    /// Routes used.
    pub vehicles: usize,
    /// Total distance (recomputed by the checker).
    pub distance: f64,
    /// Best known routes.
    pub bks_vehicles: Option<usize>,
    /// Best known distance.
    pub bks_distance: Option<f64>,
    /// Distance gap to the best known, percent.
    pub gap_pct: Option<f64>,
    /// Wall-clock seconds of the solve.
    pub seconds: f64,
    /// Whether the independent checker accepted the solution.
    pub valid: bool,
}

/// The means over one family of instances.
#[derive(Clone, Debug, Serialize)]
pub struct BenchMeans {
    /// `solomon` or `cvrplib`.
    pub set: &'static str,
    /// Instances solved.
    pub instances: usize,
    /// Mean distance gap, percent (over instances with a best known).
    pub mean_gap_pct: f64,
    /// Mean seconds.
    pub mean_seconds: f64,
    /// Instances whose vehicle count equals (or beats) the best known.
    pub bks_vehicles_matched: usize,
    /// Sum of vehicles used.
    pub vehicles: usize,
    /// Sum of best-known vehicles.
    pub bks_vehicles: usize,
    /// Instances whose solution failed the checker.
    pub invalid: usize,
}

fn round(v: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (v * f).round() / f
}

/// Solves one instance file and returns its line (and the plan, for writing).
pub fn run_one(
    path: &Path,
    opts: &BenchOptions,
) -> Result<(BenchLine, Plan, instance::Instance), OptimizeError> {
    let inst = instance::read(path)?;
    let solomon = inst.kind == InstanceKind::Solomon;
    let hierarchical = solomon && !opts.fast;
    let bks = inst.best_known(solomon && opts.fast)?;
    let matrix = inst.matrix()?;
    let problem = inst.to_problem();
    let limit = opts
        .time_limit_s
        .unwrap_or(if opts.fast { 1.0 } else { 10.0 });
    let options = SolveOptions {
        // Fast mode promises at most one second in all: the search stops 5 % early so that
        // writing the plan and a busy machine's scheduling stay inside it.
        time_limit_s: if opts.fast {
            0.95 * limit.min(1.0)
        } else {
            limit
        },
        // Development aid: a fixed iteration budget makes runs reproducible for profiling.
        max_iterations: std::env::var("DOORSTEP_BENCH_ITERATIONS")
            .ok()
            .and_then(|v| v.parse().ok()),
        seed: opts.seed,
        threads: opts.threads,
        minimize_vehicles: hierarchical,
    };
    let t0 = Instant::now();
    let plan = solve(&problem, &matrix, &options)?;
    let seconds = t0.elapsed().as_secs_f64();
    let report = checker::check(&problem, &matrix, &plan);
    for v in &report.violations {
        eprintln!("{}: {v}", inst.name);
    }
    tracing::debug!(instance = %inst.name, iterations = plan.summary.iterations, "solved");
    let distance = report.distance_m;
    let gap = bks.map(|b| 100.0 * (distance - b.distance) / b.distance);
    let line = BenchLine {
        instance: inst.name.clone(),
        vehicles: report.routes,
        distance: round(distance, 2),
        bks_vehicles: bks.map(|b| b.vehicles),
        bks_distance: bks.map(|b| b.distance),
        gap_pct: gap.map(|g| round(g, 3)),
        seconds: round(seconds, 3),
        valid: report.is_valid() && plan.unserved.is_empty(),
    };
    Ok((line, plan, inst))
}

/// Writes `plan` as a CVRPLIB `.sol` file.
pub fn write_sol(
    dir: &Path,
    inst: &instance::Instance,
    plan: &Plan,
    distance: f64,
) -> Result<PathBuf, OptimizeError> {
    std::fs::create_dir_all(dir).map_err(|source| OptimizeError::Io {
        path: dir.display().to_string(),
        source,
    })?;
    let path = dir.join(format!("{}.sol", inst.name));
    let mut text = String::new();
    for (k, r) in plan.routes.iter().enumerate() {
        let ids: Vec<String> = r
            .visits
            .iter()
            .map(|v| inst.number[problem_location(v.stop)].to_string())
            .collect();
        text.push_str(&format!("Route #{}: {}\n", k + 1, ids.join(" ")));
    }
    match inst.kind {
        InstanceKind::Cvrplib => text.push_str(&format!("Cost {}\n", distance.round() as i64)),
        InstanceKind::Solomon => text.push_str(&format!("Cost {distance:.2}\n")),
    }
    std::fs::write(&path, text).map_err(|source| OptimizeError::Io {
        path: path.display().to_string(),
        source,
    })?;
    Ok(path)
}

/// Stop `k` of an instance's problem is node `k + 1`.
fn problem_location(stop: usize) -> usize {
    stop + 1
}

/// Runs the benchmark over `files`, printing JSON lines to `out`.
pub fn run(
    files: &[PathBuf],
    opts: &BenchOptions,
    out: &mut dyn Write,
) -> Result<Vec<BenchLine>, OptimizeError> {
    let io = |source| OptimizeError::Io {
        path: "stdout".into(),
        source,
    };
    let mut lines: Vec<(InstanceKind, BenchLine)> = Vec::new();
    for f in files {
        let (line, plan, inst) = run_one(f, opts)?;
        if let Some(dir) = &opts.out {
            write_sol(dir, &inst, &plan, line.distance)?;
        }
        let json = serde_json::to_string(&line).map_err(|e| io(std::io::Error::other(e)))?;
        writeln!(out, "{json}").map_err(io)?;
        out.flush().map_err(io)?;
        lines.push((inst.kind, line));
    }
    for (kind, set) in [
        (InstanceKind::Solomon, "solomon"),
        (InstanceKind::Cvrplib, "cvrplib"),
    ] {
        let group: Vec<&BenchLine> = lines
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, l)| l)
            .collect();
        if group.is_empty() {
            continue;
        }
        let gaps: Vec<f64> = group.iter().filter_map(|l| l.gap_pct).collect();
        let means = BenchMeans {
            set,
            instances: group.len(),
            mean_gap_pct: round(gaps.iter().sum::<f64>() / gaps.len().max(1) as f64, 3),
            mean_seconds: round(
                group.iter().map(|l| l.seconds).sum::<f64>() / group.len() as f64,
                3,
            ),
            bks_vehicles_matched: group
                .iter()
                .filter(|l| l.bks_vehicles.is_some_and(|b| l.vehicles <= b))
                .count(),
            vehicles: group.iter().map(|l| l.vehicles).sum(),
            bks_vehicles: group.iter().filter_map(|l| l.bks_vehicles).sum(),
            invalid: group.iter().filter(|l| !l.valid).count(),
        };
        let json = serde_json::to_string(&means).map_err(|e| io(std::io::Error::other(e)))?;
        writeln!(out, "{json}").map_err(io)?;
    }
    Ok(lines.into_iter().map(|(_, l)| l).collect())
}

//! Literature instances through the same path as `doorstep bench-vrp`: read, solve, check
//! independently, compare with the best known, write the `.sol`. Short budgets and loose bounds
//! (the machine may be busy); `bench-vrp` measures the real bar. Skipped when
//! `../shared/data/vrp` is absent.

use std::path::{Path, PathBuf};

use doorstep::optimize::bench::{BenchOptions, run_one, write_sol};

fn data(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/vrp")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipped: {} not found", p.display());
        None
    }
}

fn opts(seconds: f64, fast: bool) -> BenchOptions {
    BenchOptions {
        time_limit_s: Some(seconds),
        fast,
        seed: 1,
        threads: 2,
        out: None,
    }
}

#[test]
fn solomon_c101_reaches_the_best_known_fleet_and_distance() {
    let Some(p) = data("solomon/C101.txt") else {
        return;
    };
    let (line, _, _) = run_one(&p, &opts(2.0, false)).unwrap();
    assert!(line.valid);
    assert_eq!(line.vehicles, 10);
    assert!(line.gap_pct.unwrap() < 1.0, "{line:?}");
    assert!(line.seconds < 3.0);
}

#[test]
fn solomon_fast_mode_stays_within_a_second() {
    let Some(p) = data("solomon/RC201.txt") else {
        return;
    };
    let (line, _, _) = run_one(&p, &opts(5.0, true)).unwrap();
    assert!(line.valid);
    assert!(line.seconds <= 1.05, "{line:?}");
    assert!(line.gap_pct.unwrap() < 5.0, "{line:?}");
}

#[test]
fn cvrplib_x_solution_is_valid_close_and_written_as_sol() {
    let Some(p) = data("x/X-n101-k25.vrp") else {
        return;
    };
    let (line, plan, inst) = run_one(&p, &opts(2.0, false)).unwrap();
    assert!(line.valid);
    assert!(line.gap_pct.unwrap() < 3.0, "{line:?}");
    let dir = std::env::temp_dir().join(format!("doorstep-sol-{}", std::process::id()));
    let path = write_sol(&dir, &inst, &plan, line.distance).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let routes: Vec<Vec<usize>> = text
        .lines()
        .filter(|l| l.starts_with("Route #"))
        .map(|l| {
            l.split(':')
                .nth(1)
                .unwrap()
                .split_whitespace()
                .map(|x| x.parse().unwrap())
                .collect()
        })
        .collect();
    assert_eq!(routes.len(), line.vehicles);
    let mut seen: Vec<usize> = routes.iter().flatten().copied().collect();
    seen.sort_unstable();
    assert_eq!(seen, (1..=100).collect::<Vec<_>>());
    // The Cost line equals the distance recomputed from the written routes.
    let mut total = 0.0;
    for r in &routes {
        let mut at = 0;
        for &c in r.iter().chain(std::iter::once(&0)) {
            total += inst.distance(at, c);
            at = c;
        }
    }
    assert!(
        text.contains(&format!("Cost {}", total.round() as i64)),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

//! Literature instances through the same path as `doorstep bench-vrp`: read, solve, check
//! independently, compare with the best known, write the `.sol`. Short budgets and loose bounds
//! (the machine may be busy); `bench-vrp` measures the real bar. Skipped when
//! `../shared/data/vrp` is absent.

use std::path::{Path, PathBuf};

use doorstep::optimize::bench::{BenchOptions, run_one, write_sol};
use doorstep::optimize::instance;

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

#[test]
fn reads_solomon_with_bks() {
    let Some(p) = data("solomon/R101.txt") else {
        return;
    };
    let inst = instance::read(&p).unwrap();
    assert_eq!(inst.name, "R101");
    assert_eq!(inst.customers(), 100);
    assert_eq!(inst.vehicles, 25);
    assert_eq!(inst.capacity, 200.0);
    let bks = inst.best_known(false).unwrap().unwrap();
    assert_eq!(bks.vehicles, 19);
    let d = inst.best_known(true).unwrap().unwrap();
    assert_eq!(d.vehicles, 20);
}

#[test]
fn reads_cvrplib_with_sol() {
    let Some(p) = data("x/X-n101-k25.vrp") else {
        return;
    };
    let inst = instance::read(&p).unwrap();
    assert_eq!(inst.customers(), 100);
    assert_eq!(inst.capacity, 206.0);
    let bks = inst.best_known(false).unwrap().unwrap();
    assert_eq!(bks.distance, 27591.0);
    assert_eq!(bks.vehicles, 26);
}

#[test]
fn explicit_lower_row_matrix_is_read() {
    let dir = std::env::temp_dir().join(format!("doorstep-opt-ex-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("e.vrp");
    std::fs::write(
        &p,
        "NAME : e\nTYPE : CVRP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EXPLICIT\nEDGE_WEIGHT_FORMAT : LOWER_ROW\nCAPACITY : 10\nEDGE_WEIGHT_SECTION\n 5\n 7 9\nDEMAND_SECTION\n1 0\n2 3\n3 4\nDEPOT_SECTION\n 1\n -1\nEOF\n",
    )
    .unwrap();
    let inst = instance::read(&p).unwrap();
    assert_eq!(inst.distance(0, 1), 5.0);
    assert_eq!(inst.distance(2, 0), 7.0);
    assert_eq!(inst.distance(1, 2), 9.0);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn malformed_line_is_named() {
    let dir = std::env::temp_dir().join(format!("doorstep-opt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("bad.vrp");
    std::fs::write(&p, "NAME : bad\nDIMENSION : 3\nCAPACITY : 10\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n1 0 0\n2 x 1\n").unwrap();
    let e = instance::read(&p).unwrap_err().to_string();
    assert!(e.contains("bad.vrp:7"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}

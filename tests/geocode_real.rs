//! The geocoder and its CLI on the real extracts in `../shared/data/osm` (skipped when absent).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use doorstep::geocode::{Geocoder, Level};
use doorstep::osm::{ImportOptions, import};

fn extract(name: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/osm")
        .join(name);
    if p.exists() {
        Some(p)
    } else {
        println!("skipped: {} not present", p.display());
        None
    }
}

/// Metres between two lon/lat points (equirectangular: fine at city scale).
fn dist_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let k = (0.5 * (a.1 + b.1)).to_radians().cos();
    (((a.0 - b.0) * k).powi(2) + (a.1 - b.1).powi(2)).sqrt() * 111_320.0
}

#[test]
fn nangang_examples_from_the_issue() {
    let Some(path) = extract("nangang.osm.pbf") else {
        return;
    };
    let map = import(&path, &ImportOptions::default()).unwrap();
    let g = Geocoder::build(&map);
    let bashan = map.roads.iter().find(|r| r.id.0 == 300559044).unwrap();
    let on_bashan = |p: (f64, f64)| bashan.coords.iter().any(|c| dist_m((c.x, c.y), p) < 300.0);

    for q in [
        "巴山街32号",
        "南崗區巴山街３２号",
        "哈尔滨市南岗区巴山街三十二号",
        "Bashan Street 32",
    ] {
        let a = g.geocode(q);
        let b = a.best.as_ref().unwrap_or_else(|| panic!("{q}: {a:?}"));
        assert!(on_bashan((b.lon, b.lat)), "{q}: {b:?}");
        assert_eq!(a.components.number.as_deref(), Some("32"), "{q}");
    }
    let a = g.geocode("黑山街与巴山街交口");
    assert_eq!(
        a.best.as_ref().map(|b| b.level),
        Some(Level::Intersection),
        "{a:?}"
    );
    let a = g.geocode("哈尔滨市光华中学");
    assert_eq!(a.best.as_ref().map(|b| b.level), Some(Level::Poi), "{a:?}");
    let a = g.geocode("Hongjun Street 85");
    assert_eq!(
        a.best.as_ref().map(|b| b.level),
        Some(Level::Address),
        "{a:?}"
    );
    for q in ["成都市锦江区春熙路", "asdkjhqwe", "北京市朝阳区建国路88号"] {
        assert!(g.geocode(q).best.is_none(), "{q}");
    }
    let s = g.suggest("鸿翔", 10);
    assert!(!s.is_empty() && s.len() <= 10);
    assert!(s.iter().all(|x| x.name.contains("鸿翔")), "{s:?}");
}

#[test]
fn the_cli_writes_one_json_object_per_line() {
    let Some(path) = extract("fendoulu_subdistrict.osm.pbf") else {
        return;
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_doorstep"))
        .args(["geocode", "--osm"])
        .arg(&path)
        .arg("--jsonl")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let input = concat!(
        "{\"id\": 1, \"query\": \"巴山街32号\"}\n",
        "{\"id\": \"b\", \"query\": \"qwxzv plokm\"}\n",
        "not json\n",
        "{\"id\": 3, \"query\": \"黑山街与巴山街交口\"}\n",
    );
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    let keys: Vec<&str> = lines[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for k in [
        "id",
        "query",
        "lon",
        "lat",
        "confidence",
        "level",
        "name",
        "components",
    ] {
        assert!(keys.contains(&k), "{k} missing in {keys:?}");
    }
    assert_eq!(lines[0]["id"], 1);
    assert_eq!(lines[0]["level"], "street");
    assert!(lines[0]["lon"].is_f64());
    assert_eq!(lines[1]["id"], "b");
    assert!(lines[1]["lon"].is_null() && lines[1]["lat"].is_null());
    assert!(lines[2]["error"].as_str().unwrap().contains("line 3"));
    assert_eq!(lines[3]["level"], "intersection");
    assert!(String::from_utf8_lossy(&out.stderr).contains("stdin line 3"));
}

#[test]
fn baltimore_addresses_and_held_out_numbers() {
    let Some(path) = extract("baltimore.osm.pbf") else {
        return;
    };
    let map = import(&path, &ImportOptions::default()).unwrap();
    let set = doorstep::geocode::eval::generate_us(
        &map,
        "baltimore",
        1,
        doorstep::geocode::eval::Split::Dev,
        40,
    );
    let g = Geocoder::build(&set.prune(&map));
    let mut hits = std::collections::BTreeMap::<String, (usize, usize)>::new();
    for c in &set.cases {
        let a = g.geocode(&c.query);
        let e = hits.entry(c.kind.clone()).or_default();
        e.1 += 1;
        if c.is_hit(a.best.map(|b| geo::Coord { x: b.lon, y: b.lat })) {
            e.0 += 1;
        }
    }
    println!("{hits:?}");
    let rate = |k: &str| hits.get(k).map_or(1.0, |(h, n)| *h as f64 / *n as f64);
    assert!(rate("us_address") >= 0.95);
    assert!(rate("us_missing_number") >= 0.85);
    assert!(rate("no_match_other_city") >= 0.9);
}

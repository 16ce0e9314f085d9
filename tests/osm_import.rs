//! The importer on the real extracts in `../shared/data/osm` (skipped when absent).

use std::path::{Path, PathBuf};

use doorstep::osm::{ImportOptions, RawMap, import};

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

fn counts(m: &RawMap) -> String {
    format!(
        "roads {} barriers {} areas {} buildings {} pois {} addresses {} interpolations {} boundaries {}",
        m.roads.len(),
        m.barriers.len(),
        m.areas.len(),
        m.buildings.len(),
        m.pois.len(),
        m.addresses.len(),
        m.interpolations.len(),
        m.boundaries.len()
    )
}

#[test]
fn harbin_roads_are_complete_and_consistent() {
    let Some(path) = extract("harbin.osm.pbf") else {
        return;
    };
    let m = import(&path, &ImportOptions::default()).unwrap();
    println!("harbin: {}", counts(&m));
    assert!(m.roads.len() > 9_000, "the README says ~10k highway ways");
    for r in &m.roads {
        assert_eq!(r.nodes.len(), r.coords.len());
        assert!(r.nodes.len() >= 2);
        assert!(!r.highway.is_empty());
    }
    let bashan = m
        .roads
        .iter()
        .find(|r| r.id.0 == 300559044)
        .expect("巴山街 way 300559044");
    assert_eq!(bashan.names.name.as_deref(), Some("巴山街"));
    let c = bashan.coords[0];
    assert!(
        (126.65..126.66).contains(&c.x) && (45.74..45.76).contains(&c.y),
        "{c:?}"
    );
    assert!(m.barriers.iter().all(|b| b.tags.get("barrier").is_some()));
    assert!(!m.barriers.is_empty());
}

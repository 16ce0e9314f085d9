//! The importer on the real extracts in `../shared/data/osm` (skipped when absent).

use std::path::{Path, PathBuf};

use doorstep::osm::{Clip, ImportOptions, OsmError, OsmId, RawMap, import};

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

#[test]
fn a_bbox_clip_keeps_ways_touching_it_whole() {
    let Some(path) = extract("harbin.osm.pbf") else {
        return;
    };
    let clip = Clip::parse_bbox("126.59,45.70,126.72,45.78").unwrap();
    let options = ImportOptions {
        clip: Some(clip.clone()),
    };
    let m = import(&path, &options).unwrap();
    println!("harbin clipped to Nangang: {}", counts(&m));
    assert!(m.roads.len() > 3_000 && m.roads.len() < 10_000);
    for r in &m.roads {
        assert!(
            r.coords.iter().any(|c| clip.contains(*c)),
            "road {:?}",
            r.id
        );
    }
    // Point POIs are kept when inside; polygon POIs when any outline node is.
    assert!(
        m.pois
            .iter()
            .filter(|p| matches!(p.id, OsmId::Node(_)))
            .all(|p| clip.contains(p.point.0))
    );
    assert_eq!(m.bounds, clip.bbox());
}

#[test]
fn the_cache_round_trips_and_refuses_other_files() {
    let Some(path) = extract("fendoulu_subdistrict.osm.pbf") else {
        return;
    };
    let m = import(&path, &ImportOptions::default()).unwrap();
    println!("fendoulu: {}", counts(&m));
    let dir = std::env::temp_dir().join(format!("doorstep-geo-cache-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cache = dir.join("fendoulu.rawmap");
    m.save(&cache).unwrap();
    assert_eq!(RawMap::load(&cache).unwrap(), m);
    let err = RawMap::load(&path).unwrap_err();
    assert!(matches!(err, OsmError::BadCache { .. }), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn truncated_and_corrupt_files_name_the_offset() {
    let Some(path) = extract("fendoulu_subdistrict.osm.pbf") else {
        return;
    };
    let bytes = std::fs::read(&path).unwrap();
    let dir = std::env::temp_dir().join(format!("doorstep-geo-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    let cut = dir.join("cut.osm.pbf");
    std::fs::write(&cut, &bytes[..bytes.len() - 1000]).unwrap();
    let err = import(&cut, &ImportOptions::default()).unwrap_err();
    println!("{err}");
    assert!(
        matches!(err, OsmError::Truncated { offset, .. } if offset > 0),
        "{err}"
    );
    assert!(err.to_string().contains("cut.osm.pbf"));

    let stray = dir.join("stray.osm.pbf");
    let mut with_tail = bytes.clone();
    with_tail.extend_from_slice(&[0, 0]);
    std::fs::write(&stray, &with_tail).unwrap();
    let err = import(&stray, &ImportOptions::default()).unwrap_err();
    println!("{err}");
    assert!(matches!(err, OsmError::Truncated { offset, .. } if offset == bytes.len() as u64));

    // Damage the middle of the second blob's compressed body.
    let bad = dir.join("bad.osm.pbf");
    let mut damaged = bytes.clone();
    let mid = bytes.len() / 2;
    for b in &mut damaged[mid..mid + 64] {
        *b ^= 0x5a;
    }
    std::fs::write(&bad, &damaged).unwrap();
    let err = import(&bad, &ImportOptions::default()).unwrap_err();
    println!("{err}");
    assert!(
        matches!(err, OsmError::Corrupt { .. } | OsmError::Truncated { .. }),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

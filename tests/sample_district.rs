//! The committed sample district is what the generator makes, osmpbf reads it, and it has
//! what the other modules rely on: a connected road network, named compounds with numbered
//! buildings, POIs, boundaries and the high-risk compound at 巴山街32号.

use std::collections::{HashMap, HashSet, VecDeque};

use osmpbf::{Element, ElementReader};

const PBF: &str = "data/sample-district.osm.pbf";

#[test]
fn committed_files_match_the_generator() {
    let (pbf, seed) = doorstep::sample::render().unwrap();
    let committed_pbf = std::fs::read(PBF).unwrap();
    let committed_seed = std::fs::read_to_string("data/seed.json").unwrap();
    assert!(
        pbf == committed_pbf && seed == committed_seed,
        "data/ is stale: run `cargo run -- gen-sample` and commit the result"
    );
}

struct Read {
    tags_by_way: Vec<HashMap<String, String>>,
    refs_by_way: Vec<Vec<i64>>,
    node_tags: Vec<HashMap<String, String>>,
    relations: Vec<HashMap<String, String>>,
}

fn read() -> Read {
    let mut r = Read {
        tags_by_way: vec![],
        refs_by_way: vec![],
        node_tags: vec![],
        relations: vec![],
    };
    let tags = |it: &mut dyn Iterator<Item = (&str, &str)>| -> HashMap<String, String> {
        it.map(|(k, v)| (k.to_string(), v.to_string())).collect()
    };
    ElementReader::from_path(PBF)
        .unwrap()
        .for_each(|el| match el {
            Element::DenseNode(n) => {
                let t = tags(&mut n.tags());
                if !t.is_empty() {
                    r.node_tags.push(t);
                }
            }
            Element::Node(n) => r.node_tags.push(tags(&mut n.tags())),
            Element::Way(w) => {
                r.tags_by_way.push(tags(&mut w.tags()));
                r.refs_by_way.push(w.refs().collect());
            }
            Element::Relation(rel) => r.relations.push(tags(&mut rel.tags())),
        })
        .unwrap();
    r
}

#[test]
fn the_road_network_is_connected() {
    let r = read();
    let mut adj: HashMap<i64, Vec<i64>> = HashMap::new();
    for (t, refs) in r.tags_by_way.iter().zip(&r.refs_by_way) {
        if t.contains_key("highway") {
            for pair in refs.windows(2) {
                adj.entry(pair[0]).or_default().push(pair[1]);
                adj.entry(pair[1]).or_default().push(pair[0]);
            }
        }
    }
    let start = *adj.keys().min().unwrap();
    let mut seen = HashSet::from([start]);
    let mut queue = VecDeque::from([start]);
    while let Some(n) = queue.pop_front() {
        for &m in &adj[&n] {
            if seen.insert(m) {
                queue.push_back(m);
            }
        }
    }
    assert_eq!(seen.len(), adj.len(), "every road node is reachable");
    let kinds: HashSet<&str> = r
        .tags_by_way
        .iter()
        .filter_map(|t| t.get("highway").map(String::as_str))
        .collect();
    for kind in ["residential", "service", "footway", "secondary", "tertiary"] {
        assert!(kinds.contains(kind), "has highway={kind}");
    }
}

#[test]
fn compounds_buildings_pois_and_boundaries_are_there() {
    let r = read();
    let name = |t: &HashMap<String, String>| t.get("name").cloned().unwrap_or_default();
    let compounds: Vec<String> = r
        .tags_by_way
        .iter()
        .filter(|t| t.get("landuse").map(String::as_str) == Some("residential"))
        .map(name)
        .collect();
    assert!(compounds.contains(&"鸿翔名苑".to_string()));
    assert!(compounds.len() >= 10);
    let buildings: Vec<String> = r
        .tags_by_way
        .iter()
        .filter(|t| t.get("building").map(String::as_str) == Some("residential"))
        .map(name)
        .collect();
    assert!(buildings.len() >= 200, "{} buildings", buildings.len());
    assert!(buildings.iter().any(|n| n == "3栋"));
    assert!(buildings.iter().any(|n| n == "12号楼"));
    let housenumbers = r
        .tags_by_way
        .iter()
        .chain(&r.node_tags)
        .filter(|t| t.contains_key("addr:housenumber"))
        .count();
    assert!(
        (3..20).contains(&housenumbers),
        "sparse house numbers: {housenumbers}"
    );
    let amenity = |v: &str| {
        r.tags_by_way
            .iter()
            .chain(&r.node_tags)
            .filter(|t| t.get("amenity").map(String::as_str) == Some(v))
            .count()
    };
    assert_eq!(amenity("school"), 1);
    assert_eq!(amenity("clinic"), 1);
    assert!(amenity("pharmacy") >= 2);
    assert_eq!(amenity("community_centre"), 4, "one office per community");
    assert!(
        r.tags_by_way
            .iter()
            .any(|t| t.get("name:en").is_some() && t.contains_key("highway"))
    );
    let levels: HashSet<&str> = r
        .relations
        .iter()
        .filter_map(|t| t.get("admin_level").map(String::as_str))
        .collect();
    assert_eq!(levels, HashSet::from(["5", "6", "8", "10"]));
    assert!(r.node_tags.iter().any(
        |t| name(t) == "巴山街32号卡口" && t.get("barrier").map(String::as_str) == Some("gate")
    ));
    assert!(r.tags_by_way.iter().any(|t| {
        t.get("addr:street").map(String::as_str) == Some("巴山街")
            && t.get("addr:housenumber").map(String::as_str) == Some("32")
    }));
}

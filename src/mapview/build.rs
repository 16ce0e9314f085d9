//! Building the layer features from a raw map once, and answering views from them.

use geo::{Coord, LineString, Simplify};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use super::write::{self, Geometry};
use super::{View, degrees_per_px};
use crate::osm::{AreaKind, Names, RawMap};

/// Zoom levels at which geometry is kept pre-simplified; a view uses the largest level not
/// above its zoom (the coarsest for anything below), and the full geometry above the last.
const LEVELS: [u8; 5] = [11, 13, 14, 15, 16];

/// The pre-simplified level a view at `zoom` uses; `None` for the full geometry.
fn level_for(zoom: u8) -> Option<u8> {
    if zoom > LEVELS[LEVELS.len() - 1] {
        return None;
    }
    Some(
        LEVELS
            .iter()
            .rev()
            .find(|&&l| l <= zoom)
            .copied()
            .unwrap_or(LEVELS[0]),
    )
}

/// Simplification tolerance in screen pixels: below what anyone can see.
const TOLERANCE_PX: f64 = 0.5;

/// What a feature is, in drawing order (earlier is drawn underneath).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Layer {
    Area,
    Building,
    Road,
    Poi,
}

impl Layer {
    fn code(self) -> &'static str {
        match self {
            Layer::Area => "area",
            Layer::Building => "building",
            Layer::Road => "road",
            Layer::Poi => "poi",
        }
    }
}

struct Feature {
    layer: Layer,
    /// Drawing order within the layer (minor roads under major ones).
    rank: u8,
    class: Box<str>,
    name_zh: Option<Box<str>>,
    name_en: Option<Box<str>>,
    min_zoom: u8,
    full: Geometry,
    /// `(level, geometry)` for each of [`LEVELS`] at or above `min_zoom`; `None` where the
    /// shape vanishes at that level (smaller than the tolerance).
    simplified: Vec<(u8, Option<Geometry>)>,
}

/// The extract's base map, ready to answer views (see the module docs).
pub struct MapLayers {
    features: Vec<Feature>,
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, u32>>,
    bounds: [f64; 4],
}

/// Counts of what the layers hold, for logs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LayerCounts {
    pub roads: usize,
    pub areas: usize,
    pub buildings: usize,
    pub pois: usize,
}

/// `(class, rank, min_zoom)` of a `highway=*` value; `None` for what is not drawn.
fn road_style(highway: &str) -> Option<(&'static str, u8, u8)> {
    let base = highway.strip_suffix("_link").unwrap_or(highway);
    Some(match base {
        "motorway" | "trunk" | "primary" => ("major", 5, 0),
        "secondary" | "tertiary" => ("main", 4, 11),
        "residential" | "unclassified" | "living_street" | "road" => ("street", 3, 13),
        "service" | "track" => ("service", 2, 15),
        "pedestrian" | "footway" | "path" | "steps" | "cycleway" | "bridleway" | "corridor"
        | "platform" => ("path", 1, 16),
        "construction" | "proposed" | "abandoned" | "razed" => return None,
        _ => ("street", 3, 14),
    })
}

fn names_of(names: &Names) -> (Option<Box<str>>, Option<Box<str>>) {
    let zh = names
        .variant("name:zh")
        .or(names.name.as_deref())
        .map(Box::from);
    let en = names.variant("name:en").map(Box::from);
    (zh, en)
}

fn ring(line: &LineString<f64>) -> Vec<[f64; 2]> {
    line.0.iter().map(|c| [c.x, c.y]).collect()
}

fn coords(cs: &[Coord<f64>]) -> Vec<[f64; 2]> {
    cs.iter().map(|c| [c.x, c.y]).collect()
}

fn bbox_of(g: &Geometry) -> Option<[f64; 4]> {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    g.for_each_point(&mut |[x, y]| {
        b[0] = b[0].min(x);
        b[1] = b[1].min(y);
        b[2] = b[2].max(x);
        b[3] = b[3].max(y);
    });
    b[0].is_finite().then_some(b)
}

/// `line` simplified with `epsilon` degrees; `None` when fewer than `min_points` remain.
fn simplify_coords(line: &[[f64; 2]], epsilon: f64, min_points: usize) -> Option<Vec<[f64; 2]>> {
    let ls: LineString<f64> = line.iter().map(|&[x, y]| Coord { x, y }).collect();
    let s = ls.simplify(epsilon);
    (s.0.len() >= min_points).then(|| ring(&s))
}

fn simplify(g: &Geometry, epsilon: f64) -> Option<Geometry> {
    match g {
        Geometry::Point(p) => Some(Geometry::Point(*p)),
        Geometry::Line(l) => simplify_coords(l, epsilon, 2).map(Geometry::Line),
        Geometry::Polygons(polys) => {
            let kept: Vec<Vec<Vec<[f64; 2]>>> = polys
                .iter()
                .filter_map(|rings| {
                    let mut it = rings.iter();
                    let outer = simplify_coords(it.next()?, epsilon, 4)?;
                    let mut out = vec![outer];
                    out.extend(it.filter_map(|r| simplify_coords(r, epsilon, 4)));
                    Some(out)
                })
                .collect();
            (!kept.is_empty()).then_some(Geometry::Polygons(kept))
        }
    }
}

impl MapLayers {
    /// Builds the layers of `map` (a second or so for a city extract).
    pub fn build(map: &RawMap) -> MapLayers {
        let mut features = Vec::new();
        for r in &map.roads {
            let Some((class, rank, min_zoom)) = road_style(&r.highway) else {
                continue;
            };
            if r.coords.len() < 2 {
                continue;
            }
            let (name_zh, name_en) = names_of(&r.names);
            features.push(Feature {
                layer: Layer::Road,
                rank,
                class: class.into(),
                name_zh,
                name_en,
                min_zoom,
                full: Geometry::Line(coords(&r.coords)),
                simplified: Vec::new(),
            });
        }
        for a in &map.areas {
            let (class, rank, min_zoom) = match a.kind {
                AreaKind::Place => ("place", 0, 12),
                AreaKind::Other => ("landuse", 1, 13),
                AreaKind::Residential => ("compound", 2, 13),
                // Named buildings are drawn with every other building.
                AreaKind::Building => continue,
            };
            let polys: Vec<Vec<Vec<[f64; 2]>>> = a
                .polygon
                .0
                .iter()
                .map(|p| {
                    std::iter::once(ring(p.exterior()))
                        .chain(p.interiors().iter().map(ring))
                        .collect()
                })
                .collect();
            if polys.is_empty() {
                continue;
            }
            let (name_zh, name_en) = names_of(&a.names);
            features.push(Feature {
                layer: Layer::Area,
                rank,
                class: class.into(),
                name_zh,
                name_en,
                min_zoom,
                full: Geometry::Polygons(polys),
                simplified: Vec::new(),
            });
        }
        for b in &map.buildings {
            if b.outline.0.len() < 4 {
                continue;
            }
            let (mut name_zh, name_en) = names_of(&b.names);
            if name_zh.is_none() {
                name_zh = b
                    .tags
                    .get("ref")
                    .or(b.tags.get("addr:housenumber"))
                    .map(Box::from);
            }
            features.push(Feature {
                layer: Layer::Building,
                rank: 0,
                class: "building".into(),
                name_zh,
                name_en,
                min_zoom: 15,
                full: Geometry::Polygons(vec![vec![ring(&b.outline)]]),
                simplified: Vec::new(),
            });
        }
        for p in &map.pois {
            let (name_zh, name_en) = names_of(&p.names);
            features.push(Feature {
                layer: Layer::Poi,
                rank: 0,
                class: p.kind.1.as_str().into(),
                name_zh,
                name_en,
                min_zoom: 16,
                full: Geometry::Point([p.point.x(), p.point.y()]),
                simplified: Vec::new(),
            });
        }
        features.sort_by_key(|f| (f.layer, f.rank));

        let lat_mid = (map.bounds.min().y + map.bounds.max().y) / 2.0;
        // A pixel covers fewer degrees of latitude than of longitude (Mercator); using the
        // latitude's keeps the error under the tolerance on both axes.
        let lat_factor = lat_mid.to_radians().cos().clamp(0.05, 1.0);
        let mut boxes = Vec::with_capacity(features.len());
        let mut kept = Vec::with_capacity(features.len());
        for mut f in features {
            let Some(b) = bbox_of(&f.full) else { continue };
            let first_needed = level_for(f.min_zoom).unwrap_or(u8::MAX);
            f.simplified = LEVELS
                .iter()
                .filter(|&&l| l >= first_needed)
                .map(|&l| {
                    let eps = TOLERANCE_PX * degrees_per_px(l) * lat_factor;
                    (l, simplify(&f.full, eps))
                })
                .collect();
            boxes.push(GeomWithData::new(
                Rectangle::from_corners([b[0], b[1]], [b[2], b[3]]),
                kept.len() as u32,
            ));
            kept.push(f);
        }
        let b = &map.bounds;
        MapLayers {
            features: kept,
            tree: RTree::bulk_load(boxes),
            bounds: [b.min().x, b.min().y, b.max().x, b.max().y],
        }
    }

    /// `[min_lon, min_lat, max_lon, max_lat]` of the extract.
    pub fn bounds(&self) -> [f64; 4] {
        self.bounds
    }

    pub fn counts(&self) -> LayerCounts {
        let mut c = LayerCounts::default();
        for f in &self.features {
            match f.layer {
                Layer::Road => c.roads += 1,
                Layer::Area => c.areas += 1,
                Layer::Building => c.buildings += 1,
                Layer::Poi => c.pois += 1,
            }
        }
        c
    }

    /// Calls `f(layer, class, geometry, name)` for every feature visible in `view`, in drawing
    /// order, with the geometry simplified for the view's zoom.
    pub(super) fn visit(
        &self,
        view: &View,
        english: bool,
        mut f: impl FnMut(&'static str, &str, &Geometry, Option<&str>),
    ) {
        let env = AABB::from_corners([view.min_lon, view.min_lat], [view.max_lon, view.max_lat]);
        let mut hits: Vec<u32> = self
            .tree
            .locate_in_envelope_intersecting(&env)
            .map(|g| g.data)
            .filter(|&i| self.features[i as usize].min_zoom <= view.zoom)
            .collect();
        hits.sort_unstable();
        for i in hits {
            let feature = &self.features[i as usize];
            let geometry = match level_for(view.zoom) {
                None => Some(&feature.full),
                Some(level) => feature
                    .simplified
                    .iter()
                    .find(|(l, _)| *l == level)
                    .map(|(_, g)| g.as_ref())
                    .unwrap_or(Some(&feature.full)),
            };
            let Some(geometry) = geometry else { continue };
            let name = if english {
                feature.name_en.as_deref().or(feature.name_zh.as_deref())
            } else {
                feature.name_zh.as_deref().or(feature.name_en.as_deref())
            };
            f(feature.layer.code(), &feature.class, geometry, name);
        }
    }

    /// The features visible in `view` as a GeoJSON `FeatureCollection`, drawing order first to
    /// last. Each feature's properties: `k` (area, building, road, poi), `c` (its class:
    /// compound, place, landuse; major, main, street, service, path; the POI's kind), and `n`,
    /// its name in `english` or Chinese when it has one.
    pub fn geojson(&self, view: &View, english: bool) -> String {
        let decimals = if view.zoom <= 13 { 5 } else { 6 };
        let mut out = String::with_capacity(4096);
        out.push_str(r#"{"type":"FeatureCollection","features":["#);
        let mut first = true;
        self.visit(view, english, |layer, class, geometry, name| {
            if !first {
                out.push(',');
            }
            first = false;
            write::feature(&mut out, geometry, decimals, layer, class, name);
        });
        out.push_str("]}");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn sample() -> MapLayers {
        let map = crate::osm::import(
            Path::new("data/sample-district.osm.pbf"),
            &crate::osm::ImportOptions::default(),
        )
        .unwrap();
        MapLayers::build(&map)
    }

    fn whole(layers: &MapLayers, zoom: u8) -> serde_json::Value {
        let b = layers.bounds();
        let view = View {
            min_lon: b[0],
            min_lat: b[1],
            max_lon: b[2],
            max_lat: b[3],
            zoom,
        };
        serde_json::from_str(&layers.geojson(&view, false)).unwrap()
    }

    fn kinds(v: &serde_json::Value, k: &str) -> usize {
        v["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["properties"]["k"] == k)
            .count()
    }

    #[test]
    fn the_sample_district_has_every_layer() {
        let layers = sample();
        let c = layers.counts();
        assert!(
            c.roads > 10 && c.buildings > 10 && c.areas > 2 && c.pois > 2,
            "{c:?}"
        );
    }

    #[test]
    fn zooming_in_shows_more_and_finer() {
        let layers = sample();
        let far = whole(&layers, 12);
        let near = whole(&layers, 17);
        assert_eq!(kinds(&far, "building"), 0, "buildings only from zoom 15");
        assert!(kinds(&near, "building") > 10);
        assert!(kinds(&near, "road") > kinds(&far, "road"));
        assert!(kinds(&near, "poi") > 0);
        // Every feature is valid GeoJSON with coordinates inside the extract.
        let b = layers.bounds();
        for f in near["features"].as_array().unwrap() {
            assert_eq!(f["type"], "Feature");
            let g = &f["geometry"];
            let t = g["type"].as_str().unwrap();
            assert!(["Point", "LineString", "Polygon", "MultiPolygon"].contains(&t));
            let text = g["coordinates"].to_string();
            let nums: Vec<f64> = text
                .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
                .filter(|s| !s.is_empty())
                .map(|s| s.parse().unwrap())
                .collect();
            for pair in nums.chunks(2) {
                assert!(pair[0] >= b[0] - 0.01 && pair[0] <= b[2] + 0.01, "{pair:?}");
                assert!(pair[1] >= b[1] - 0.01 && pair[1] <= b[3] + 0.01, "{pair:?}");
            }
        }
    }

    #[test]
    fn a_box_away_from_the_district_is_empty() {
        let layers = sample();
        let view = View::parse("0,0,0.01,0.01", 16).unwrap();
        let v: serde_json::Value = serde_json::from_str(&layers.geojson(&view, true)).unwrap();
        assert_eq!(v["features"].as_array().unwrap().len(), 0);
    }

    #[test]
    fn names_follow_the_language_and_are_escaped() {
        let layers = sample();
        let b = layers.bounds();
        let view = View {
            min_lon: b[0],
            min_lat: b[1],
            max_lon: b[2],
            max_lat: b[3],
            zoom: 16,
        };
        let zh = layers.geojson(&view, false);
        let en = layers.geojson(&view, true);
        assert!(zh.contains("巴山街"), "sample has Bashan Street");
        assert!(en.contains("Bashan"), "with its English name");
        serde_json::from_str::<serde_json::Value>(&en).unwrap();
    }

    #[test]
    fn simplification_drops_points_but_keeps_shapes() {
        let zigzag: Vec<[f64; 2]> = (0..100)
            .map(|i| [126.6 + i as f64 * 1e-4, 45.7 + (i % 2) as f64 * 1e-7])
            .collect();
        let s = simplify(&Geometry::Line(zigzag), 1e-5).unwrap();
        let Geometry::Line(l) = s else { panic!() };
        assert_eq!(l.len(), 2, "a 1 cm zigzag is a straight line");
        let tiny = vec![vec![vec![
            [0.0, 0.0],
            [1e-7, 0.0],
            [1e-7, 1e-7],
            [0.0, 0.0],
        ]]];
        assert_eq!(simplify(&Geometry::Polygons(tiny), 1e-5), None);
    }
}

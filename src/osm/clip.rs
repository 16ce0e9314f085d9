//! The area an import keeps: a bounding box or a polygon, to cut a district out of a province or
//! country extract.
//!
//! Ways are kept whole when any of their nodes lies inside (like `osmium extract -s
//! complete_ways`), so a road that leaves the district is not cut at the border.

use std::path::Path;

use geo::{Contains, Coord, Intersects, LineString, MultiPolygon, Polygon, Rect};

use super::OsmError;

/// Where an import keeps data. Coordinates are WGS84 degrees (`x` = longitude).
#[derive(Clone, Debug, PartialEq)]
pub enum Clip {
    /// Keep what lies in this rectangle.
    Bbox(Rect<f64>),
    /// Keep what lies in this (multi)polygon; `bbox` is its bounding rectangle.
    Polygon {
        polygon: MultiPolygon<f64>,
        bbox: Rect<f64>,
    },
}

impl Clip {
    /// Parses `min_lon,min_lat,max_lon,max_lat` (the order of `osmium extract -b`).
    ///
    /// ```
    /// let clip = doorstep::osm::Clip::parse_bbox("126.59,45.70,126.72,45.78").unwrap();
    /// assert!(clip.contains(geo::coord! { x: 126.65, y: 45.75 }));
    /// ```
    pub fn parse_bbox(text: &str) -> Result<Clip, OsmError> {
        let invalid = |detail: String| OsmError::InvalidClip {
            source_name: format!("--bbox {text:?}"),
            detail,
        };
        let parts: Vec<&str> = text.split(',').map(str::trim).collect();
        if parts.len() != 4 {
            return Err(invalid(format!(
                "expected 4 comma-separated numbers min_lon,min_lat,max_lon,max_lat, found {}",
                parts.len()
            )));
        }
        let mut v = [0.0_f64; 4];
        for (i, p) in parts.iter().enumerate() {
            v[i] = p
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| invalid(format!("{p:?} is not a number")))?;
        }
        let [min_lon, min_lat, max_lon, max_lat] = v;
        if !(-180.0..=180.0).contains(&min_lon) || !(-180.0..=180.0).contains(&max_lon) {
            return Err(invalid("longitudes must lie in -180..180".into()));
        }
        if !(-90.0..=90.0).contains(&min_lat) || !(-90.0..=90.0).contains(&max_lat) {
            return Err(invalid("latitudes must lie in -90..90".into()));
        }
        if min_lon >= max_lon || min_lat >= max_lat {
            return Err(invalid(
                "the minimum must be smaller than the maximum (min_lon,min_lat,max_lon,max_lat)"
                    .into(),
            ));
        }
        Ok(Clip::Bbox(Rect::new(
            Coord {
                x: min_lon,
                y: min_lat,
            },
            Coord {
                x: max_lon,
                y: max_lat,
            },
        )))
    }

    /// Reads a polygon from a GeoJSON file (Polygon, MultiPolygon, Feature or FeatureCollection)
    /// or an Osmosis `.poly` file.
    pub fn from_polygon_file(path: &Path) -> Result<Clip, OsmError> {
        let text = std::fs::read_to_string(path).map_err(|e| OsmError::io(path, e))?;
        let source_name = path.display().to_string();
        let polygon = if text.trim_start().starts_with('{') {
            parse_geojson(&text).map_err(|detail| OsmError::InvalidClip {
                source_name: source_name.clone(),
                detail,
            })?
        } else {
            parse_poly(&text).map_err(|detail| OsmError::InvalidClip {
                source_name: source_name.clone(),
                detail,
            })?
        };
        Clip::from_polygon(polygon).map_err(|detail| OsmError::InvalidClip {
            source_name,
            detail,
        })
    }

    /// A polygon clip; fails when the polygon is empty.
    pub fn from_polygon(polygon: MultiPolygon<f64>) -> Result<Clip, String> {
        let bbox = geo::BoundingRect::bounding_rect(&polygon)
            .ok_or_else(|| "the polygon has no points".to_string())?;
        Ok(Clip::Polygon { polygon, bbox })
    }

    /// The bounding rectangle of the kept area.
    pub fn bbox(&self) -> Rect<f64> {
        match self {
            Clip::Bbox(r) => *r,
            Clip::Polygon { bbox, .. } => *bbox,
        }
    }

    /// True when `c` lies inside (or on the border of) the kept area.
    pub fn contains(&self, c: Coord<f64>) -> bool {
        let r = self.bbox();
        let in_rect = c.x >= r.min().x && c.x <= r.max().x && c.y >= r.min().y && c.y <= r.max().y;
        match self {
            Clip::Bbox(_) => in_rect,
            Clip::Polygon { polygon, .. } => in_rect && polygon.intersects(&c),
        }
    }

    /// True when a polygon overlaps the kept area (used for relations, whose nodes may all lie
    /// outside while the area covers the district).
    pub fn overlaps(&self, shape: &MultiPolygon<f64>) -> bool {
        let Some(r) = geo::BoundingRect::bounding_rect(shape) else {
            return false;
        };
        if !r.intersects(&self.bbox()) {
            return false;
        }
        match self {
            Clip::Bbox(b) => shape.intersects(&b.to_polygon()),
            Clip::Polygon { polygon, .. } => {
                shape.intersects(polygon) || shape.contains(&polygon.0[0].exterior().0[0])
            }
        }
    }
}

fn parse_geojson(text: &str) -> Result<MultiPolygon<f64>, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let mut polygons = Vec::new();
    collect_geojson(&value, &mut polygons)?;
    if polygons.is_empty() {
        return Err("no Polygon or MultiPolygon geometry found".into());
    }
    Ok(MultiPolygon(polygons))
}

fn collect_geojson(v: &serde_json::Value, out: &mut Vec<Polygon<f64>>) -> Result<(), String> {
    let kind = v.get("type").and_then(|t| t.as_str()).unwrap_or("");
    match kind {
        "FeatureCollection" => {
            for f in v
                .get("features")
                .and_then(|f| f.as_array())
                .ok_or("FeatureCollection without a \"features\" array")?
            {
                collect_geojson(f, out)?;
            }
        }
        "Feature" => {
            if let Some(g) = v.get("geometry") {
                collect_geojson(g, out)?;
            }
        }
        "Polygon" => out.push(geojson_polygon(
            v.get("coordinates").ok_or("Polygon without coordinates")?,
        )?),
        "MultiPolygon" => {
            for p in v
                .get("coordinates")
                .and_then(|c| c.as_array())
                .ok_or("MultiPolygon without a coordinates array")?
            {
                out.push(geojson_polygon(p)?);
            }
        }
        "GeometryCollection" => {
            for g in v
                .get("geometries")
                .and_then(|g| g.as_array())
                .ok_or("GeometryCollection without geometries")?
            {
                collect_geojson(g, out)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn geojson_polygon(v: &serde_json::Value) -> Result<Polygon<f64>, String> {
    let rings = v.as_array().ok_or("polygon coordinates must be an array")?;
    let mut lines = Vec::with_capacity(rings.len());
    for ring in rings {
        let pts = ring
            .as_array()
            .ok_or("a ring must be an array of positions")?;
        let mut coords = Vec::with_capacity(pts.len());
        for p in pts {
            let xy = p.as_array().ok_or("a position must be [lon, lat]")?;
            let x = xy.first().and_then(|x| x.as_f64());
            let y = xy.get(1).and_then(|y| y.as_f64());
            match (x, y) {
                (Some(x), Some(y)) => coords.push(Coord { x, y }),
                _ => return Err("a position must be [lon, lat] numbers".into()),
            }
        }
        if coords.len() < 3 {
            return Err("a ring needs at least 3 positions".into());
        }
        lines.push(LineString(coords));
    }
    let mut it = lines.into_iter();
    let exterior = it.next().ok_or("a polygon needs an exterior ring")?;
    Ok(Polygon::new(exterior, it.collect()))
}

/// Osmosis polygon format: a name line, then sections (a name line, `lon lat` lines, `END`);
/// sections whose name starts with `!` are holes of the preceding polygon; a final `END`.
fn parse_poly(text: &str) -> Result<MultiPolygon<f64>, String> {
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim()));
    lines.next().ok_or("empty .poly file")?;
    let mut polygons: Vec<Polygon<f64>> = Vec::new();
    loop {
        let Some((_, header)) = lines.by_ref().find(|(_, l)| !l.is_empty()) else {
            return Err("missing final END".into());
        };
        if header == "END" {
            break;
        }
        let hole = header.starts_with('!');
        let mut coords = Vec::new();
        loop {
            let (n, l) = lines
                .next()
                .ok_or_else(|| format!("section {header:?} has no END"))?;
            if l == "END" {
                break;
            }
            if l.is_empty() {
                continue;
            }
            let mut parts = l.split_whitespace().map(str::parse::<f64>);
            match (parts.next(), parts.next()) {
                (Some(Ok(x)), Some(Ok(y))) => coords.push(Coord { x, y }),
                _ => return Err(format!("line {n}: expected \"lon lat\", found {l:?}")),
            }
        }
        if coords.len() < 3 {
            return Err(format!("section {header:?} has fewer than 3 points"));
        }
        let ring = LineString(coords);
        if hole {
            let outer = polygons
                .last_mut()
                .ok_or_else(|| format!("hole {header:?} before any polygon"))?;
            outer.interiors_push(ring);
        } else {
            polygons.push(Polygon::new(ring, vec![]));
        }
    }
    Ok(MultiPolygon(polygons))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bbox_parses_and_rejects_nonsense() {
        let c = Clip::parse_bbox("126.59, 45.70,126.72,45.78").unwrap();
        assert!(c.contains(Coord { x: 126.6, y: 45.71 }));
        assert!(!c.contains(Coord { x: 126.5, y: 45.71 }));
        assert!(Clip::parse_bbox("1,2,3").is_err());
        assert!(Clip::parse_bbox("126.72,45.70,126.59,45.78").is_err());
        assert!(Clip::parse_bbox("a,2,3,4").is_err());
        assert!(Clip::parse_bbox("0,95,1,96").is_err());
    }

    #[test]
    fn geojson_and_poly_give_the_same_square() {
        let gj = r#"{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[2,0],[2,2],[0,2],[0,0]]]}}"#;
        let poly = "sq\n1\n 0 0\n 2 0\n 2 2\n 0 2\n 0 0\nEND\n!h\n 0.5 0.5\n 1 0.5\n 1 1\n 0.5 0.5\nEND\nEND\n";
        let a = Clip::from_polygon(parse_geojson(gj).unwrap()).unwrap();
        let b = Clip::from_polygon(parse_poly(poly).unwrap()).unwrap();
        for c in [a, b] {
            assert!(c.contains(Coord { x: 1.5, y: 1.5 }));
            assert!(!c.contains(Coord { x: 3.0, y: 1.0 }));
        }
        let holed = Clip::from_polygon(parse_poly(poly).unwrap()).unwrap();
        assert!(!holed.contains(Coord { x: 0.8, y: 0.6 }));
    }

    #[test]
    fn bad_poly_names_the_line() {
        let err = parse_poly("x\n1\n 0 0\n zz 1\nEND\nEND\n").unwrap_err();
        assert!(err.contains("line 4"), "{err}");
    }
}

//! Writing features as GeoJSON text directly (a view holds thousands of them; building a
//! `serde_json::Value` first would cost more than finding them).

use std::fmt::Write;

/// A feature's geometry, `[longitude, latitude]` positions.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Geometry {
    Point([f64; 2]),
    Line(Vec<[f64; 2]>),
    /// Polygons, each as rings (outer first, holes after).
    Polygons(Vec<Vec<Vec<[f64; 2]>>>),
}

impl Geometry {
    pub(super) fn for_each_point(&self, f: &mut impl FnMut([f64; 2])) {
        match self {
            Geometry::Point(p) => f(*p),
            Geometry::Line(l) => l.iter().for_each(|&p| f(p)),
            Geometry::Polygons(ps) => ps.iter().flatten().flatten().for_each(|&p| f(p)),
        }
    }
}

fn position(out: &mut String, [x, y]: [f64; 2], decimals: usize) {
    // Writing to a String cannot fail.
    let _ = write!(out, "[{x:.decimals$},{y:.decimals$}]");
}

fn positions(out: &mut String, line: &[[f64; 2]], decimals: usize) {
    out.push('[');
    for (i, &p) in line.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        position(out, p, decimals);
    }
    out.push(']');
}

fn rings(out: &mut String, rings: &[Vec<[f64; 2]>], decimals: usize) {
    out.push('[');
    for (i, r) in rings.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        positions(out, r, decimals);
    }
    out.push(']');
}

fn geometry(out: &mut String, g: &Geometry, decimals: usize) {
    match g {
        Geometry::Point(p) => {
            out.push_str(r#"{"type":"Point","coordinates":"#);
            position(out, *p, decimals);
        }
        Geometry::Line(l) => {
            out.push_str(r#"{"type":"LineString","coordinates":"#);
            positions(out, l, decimals);
        }
        Geometry::Polygons(ps) if ps.len() == 1 => {
            out.push_str(r#"{"type":"Polygon","coordinates":"#);
            rings(out, &ps[0], decimals);
        }
        Geometry::Polygons(ps) => {
            out.push_str(r#"{"type":"MultiPolygon","coordinates":["#);
            for (i, p) in ps.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                rings(out, p, decimals);
            }
            out.push(']');
        }
    }
    out.push('}');
}

fn string(out: &mut String, s: &str) {
    // serde_json escapes quotes, backslashes and control characters exactly as JSON needs.
    match serde_json::to_string(s) {
        Ok(q) => out.push_str(&q),
        Err(_) => out.push_str("\"\""),
    }
}

/// One `Feature` with properties `k`, `c` and (when named) `n`.
pub(super) fn feature(
    out: &mut String,
    g: &Geometry,
    decimals: usize,
    kind: &str,
    class: &str,
    name: Option<&str>,
) {
    out.push_str(r#"{"type":"Feature","geometry":"#);
    geometry(out, g, decimals);
    out.push_str(r#","properties":{"k":"#);
    string(out, kind);
    out.push_str(r#","c":"#);
    string(out, class);
    if let Some(n) = name {
        out.push_str(r#","n":"#);
        string(out, n);
    }
    out.push_str("}}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_are_json_with_escaped_names() {
        let mut s = String::new();
        feature(
            &mut s,
            &Geometry::Polygons(vec![
                vec![vec![[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]],
                vec![vec![[2.0, 2.0], [3.0, 2.0], [3.0, 3.0], [2.0, 2.0]]],
            ]),
            5,
            "area",
            "compound",
            Some("a \"quoted\" </script> name"),
        );
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["geometry"]["type"], "MultiPolygon");
        assert_eq!(v["properties"]["n"], "a \"quoted\" </script> name");
        assert_eq!(v["geometry"]["coordinates"][1][0][2][0], 3.0);
    }
}

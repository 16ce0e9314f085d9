//! Reading a zone polygon pasted as GeoJSON (RFC 7946), with errors that point at the value.

use chrono::{DateTime, Utc};
use geo::{Coord, LineString, MultiPolygon, Point, Polygon, Validation};
use serde_json::Value;
use uuid::Uuid;

use super::{ActivePeriod, Zone, ZoneError, ZoneId, ZoneKind};

/// Reads a polygon from GeoJSON text: a `Polygon` or `MultiPolygon` geometry, a `Feature`
/// holding one, a `FeatureCollection` or `GeometryCollection` of them (joined into one
/// multipolygon).
///
/// Positions are `[longitude, latitude]` in WGS84 degrees; a third value (altitude) is
/// ignored. Rings must have at least four positions and end where they start. The result is
/// checked for validity (no self-intersections, holes inside their shell, no overlapping parts).
///
/// ```
/// let text = r#"{"type":"Polygon","coordinates":[[[126.65,45.74],[126.66,45.74],[126.66,45.75],[126.65,45.74]]]}"#;
/// let polygon = doorstep::zone::parse_geojson_polygon(text).unwrap();
/// assert_eq!(polygon.0.len(), 1);
/// ```
pub fn parse_geojson_polygon(text: &str) -> Result<MultiPolygon<f64>, ZoneError> {
    let value: Value = serde_json::from_str(text).map_err(|e| ZoneError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let mut polygons = Vec::new();
    read_object(&value, "", &mut polygons)?;
    if polygons.is_empty() {
        return Err(geojson_error("", "no polygon found"));
    }
    let multi = MultiPolygon(polygons);
    if let Err(e) = multi.check_validation() {
        return Err(ZoneError::InvalidPolygon(e.to_string()));
    }
    Ok(multi)
}

/// Reads zones from a GeoJSON `FeatureCollection` (or a single `Feature`): each feature's
/// geometry is the zone's polygon, its properties say what the zone is:
///
/// | property | required | value |
/// | --- | --- | --- |
/// | `name` | yes | text |
/// | `kind` | yes | `high_risk`, `controlled`, `precaution` (or 高风险区, 管控区, 防范区) |
/// | `checkpoint` | for high-risk zones | `[longitude, latitude]` |
/// | `active_from`, `active_until` | no | RFC 3339 instants, e.g. `2022-11-29T00:00:00+08:00` |
/// | `id` | no | a UUID (a new one otherwise) |
///
/// Every zone is checked as [`Zone::try_new`] does; an error names the feature.
pub fn parse_geojson_zones(text: &str) -> Result<Vec<Zone>, ZoneError> {
    let value: Value = serde_json::from_str(text).map_err(|e| ZoneError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let features: Vec<(String, &Value)> = match value.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => array(
            member(&value, "", "features")?,
            "features",
            "an array of features",
        )?
        .iter()
        .enumerate()
        .map(|(i, f)| (format!("features[{i}]"), f))
        .collect(),
        Some("Feature") => vec![(String::new(), &value)],
        _ => {
            return Err(geojson_error(
                "type",
                "zones come as a FeatureCollection (or one Feature) with name and kind properties",
            ));
        }
    };
    features
        .into_iter()
        .map(|(path, feature)| read_zone(feature, &path))
        .collect()
}

fn read_zone(feature: &Value, path: &str) -> Result<Zone, ZoneError> {
    let mut polygons = Vec::new();
    read_object(feature, path, &mut polygons)?;
    let props_path = join(path, "properties");
    let props = member(feature, path, "properties")?;
    let text = |key: &str| -> Result<Option<&str>, ZoneError> {
        match props.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(other) => Err(geojson_error(
                &join(&props_path, key),
                format!("expected text, found {}", kind_of(other)),
            )),
        }
    };
    let name =
        text("name")?.ok_or_else(|| geojson_error(&props_path, "missing property \"name\""))?;
    let kind_path = join(&props_path, "kind");
    let kind = match text("kind")? {
        Some("high_risk" | "high-risk" | "高风险区" | "高风险") => ZoneKind::HighRisk,
        Some("controlled" | "管控区") => ZoneKind::Controlled,
        Some("precaution" | "防范区") => ZoneKind::Precaution,
        Some(other) => {
            return Err(geojson_error(
                &kind_path,
                format!("unknown kind \"{other}\": use high_risk, controlled or precaution"),
            ));
        }
        None => return Err(geojson_error(&props_path, "missing property \"kind\"")),
    };
    let checkpoint = match props.get("checkpoint") {
        None | Some(Value::Null) => None,
        Some(v) => Some(Point::from(read_position(
            v,
            &join(&props_path, "checkpoint"),
        )?)),
    };
    let instant = |key: &str| -> Result<Option<DateTime<Utc>>, ZoneError> {
        text(key)?
            .map(|t| {
                DateTime::parse_from_rfc3339(t)
                    .map(|d| d.with_timezone(&Utc))
                    .map_err(|e| {
                        geojson_error(
                            &join(&props_path, key),
                            format!("\"{t}\" is not an RFC 3339 instant ({e})"),
                        )
                    })
            })
            .transpose()
    };
    let active = ActivePeriod::try_new(instant("active_from")?, instant("active_until")?)?;
    let id = match text("id")? {
        Some(t) => Uuid::parse_str(t)
            .map_err(|e| geojson_error(&join(&props_path, "id"), format!("not a UUID: {e}")))?,
        None => Uuid::new_v4(),
    };
    let polygon = MultiPolygon(polygons);
    Zone::try_new(ZoneId(id), name, kind, polygon, checkpoint, active).map_err(|e| match e {
        ZoneError::GeoJson { .. } | ZoneError::Json { .. } => e,
        other => geojson_error(path, other.to_string()),
    })
}

fn geojson_error(path: &str, reason: impl Into<String>) -> ZoneError {
    ZoneError::GeoJson {
        path: if path.is_empty() {
            "(top level)".to_string()
        } else {
            path.to_string()
        },
        reason: reason.into(),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn member<'a>(value: &'a Value, path: &str, key: &str) -> Result<&'a Value, ZoneError> {
    value
        .get(key)
        .ok_or_else(|| geojson_error(path, format!("missing member \"{key}\"")))
}

fn array<'a>(value: &'a Value, path: &str, what: &str) -> Result<&'a Vec<Value>, ZoneError> {
    value
        .as_array()
        .ok_or_else(|| geojson_error(path, format!("expected {what}, found {}", kind_of(value))))
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn read_object(value: &Value, path: &str, out: &mut Vec<Polygon<f64>>) -> Result<(), ZoneError> {
    if !value.is_object() {
        return Err(geojson_error(
            path,
            format!("expected a GeoJSON object, found {}", kind_of(value)),
        ));
    }
    let type_path = join(path, "type");
    let kind = member(value, path, "type")?
        .as_str()
        .ok_or_else(|| geojson_error(&type_path, "\"type\" must be a string"))?;
    match kind {
        "Polygon" => {
            let coords_path = join(path, "coordinates");
            out.push(read_polygon(
                member(value, path, "coordinates")?,
                &coords_path,
            )?);
            Ok(())
        }
        "MultiPolygon" => {
            let coords_path = join(path, "coordinates");
            let parts = array(
                member(value, path, "coordinates")?,
                &coords_path,
                "an array of polygons",
            )?;
            for (i, part) in parts.iter().enumerate() {
                out.push(read_polygon(part, &format!("{coords_path}[{i}]"))?);
            }
            Ok(())
        }
        "Feature" => {
            let geometry_path = join(path, "geometry");
            let geometry = member(value, path, "geometry")?;
            if geometry.is_null() {
                return Err(geojson_error(&geometry_path, "the feature has no geometry"));
            }
            read_object(geometry, &geometry_path, out)
        }
        "FeatureCollection" => {
            let features_path = join(path, "features");
            let features = array(
                member(value, path, "features")?,
                &features_path,
                "an array of features",
            )?;
            for (i, feature) in features.iter().enumerate() {
                read_object(feature, &format!("{features_path}[{i}]"), out)?;
            }
            Ok(())
        }
        "GeometryCollection" => {
            let geometries_path = join(path, "geometries");
            let geometries = array(
                member(value, path, "geometries")?,
                &geometries_path,
                "an array of geometries",
            )?;
            for (i, geometry) in geometries.iter().enumerate() {
                read_object(geometry, &format!("{geometries_path}[{i}]"), out)?;
            }
            Ok(())
        }
        other => Err(geojson_error(
            &type_path,
            format!("a zone needs a Polygon or MultiPolygon, found {other}"),
        )),
    }
}

fn read_polygon(value: &Value, path: &str) -> Result<Polygon<f64>, ZoneError> {
    let rings = array(value, path, "an array of rings")?;
    if rings.is_empty() {
        return Err(geojson_error(
            path,
            "a polygon needs at least its outer ring",
        ));
    }
    let mut read = Vec::with_capacity(rings.len());
    for (i, ring) in rings.iter().enumerate() {
        read.push(read_ring(ring, &format!("{path}[{i}]"))?);
    }
    let exterior = read.remove(0);
    Ok(Polygon::new(exterior, read))
}

fn read_ring(value: &Value, path: &str) -> Result<LineString<f64>, ZoneError> {
    let positions = array(value, path, "an array of positions")?;
    let mut coords = Vec::with_capacity(positions.len());
    for (i, position) in positions.iter().enumerate() {
        coords.push(read_position(position, &format!("{path}[{i}]"))?);
    }
    if coords.len() < 4 {
        return Err(geojson_error(
            path,
            format!(
                "a ring needs at least 4 positions (3 corners and the first repeated), found {}",
                coords.len()
            ),
        ));
    }
    let (first, last) = (coords[0], coords[coords.len() - 1]);
    if first != last {
        return Err(geojson_error(
            path,
            format!(
                "the ring is not closed: the last position [{}, {}] must repeat the first [{}, {}]",
                last.x, last.y, first.x, first.y
            ),
        ));
    }
    Ok(LineString(coords))
}

fn read_position(value: &Value, path: &str) -> Result<Coord<f64>, ZoneError> {
    let numbers = array(value, path, "a position [longitude, latitude]")?;
    if numbers.len() < 2 {
        return Err(geojson_error(
            path,
            "a position needs two numbers: [longitude, latitude]",
        ));
    }
    let mut lon_lat = [0.0; 2];
    for (i, slot) in lon_lat.iter_mut().enumerate() {
        *slot = numbers[i].as_f64().ok_or_else(|| {
            geojson_error(
                &format!("{path}[{i}]"),
                format!("expected a number, found {}", kind_of(&numbers[i])),
            )
        })?;
    }
    let [lon, lat] = lon_lat;
    if !(-180.0..=180.0).contains(&lon) {
        return Err(geojson_error(
            path,
            format!("longitude {lon} is outside -180..180"),
        ));
    }
    if !(-90.0..=90.0).contains(&lat) {
        let hint = if (-90.0..=90.0).contains(&lon) && (-180.0..=180.0).contains(&lat) {
            " (longitude and latitude swapped? GeoJSON wants [longitude, latitude])"
        } else {
            ""
        };
        return Err(geojson_error(
            path,
            format!("latitude {lat} is outside -90..90{hint}"),
        ));
    }
    Ok(Coord { x: lon, y: lat })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUARE: &str =
        "[[126.65,45.74],[126.66,45.74],[126.66,45.75],[126.65,45.75],[126.65,45.74]]";

    #[test]
    fn reads_polygon_feature_and_collections() {
        let polygon = format!(r#"{{"type":"Polygon","coordinates":[{SQUARE}]}}"#);
        assert_eq!(parse_geojson_polygon(&polygon).unwrap().0.len(), 1);
        let feature = format!(
            r#"{{"type":"Feature","properties":{{"name":"巴山街32号"}},"geometry":{polygon}}}"#
        );
        assert_eq!(parse_geojson_polygon(&feature).unwrap().0.len(), 1);
        let collection = format!(r#"{{"type":"FeatureCollection","features":[{feature}]}}"#);
        assert_eq!(parse_geojson_polygon(&collection).unwrap().0.len(), 1);
        let multi = r#"{"type":"MultiPolygon","coordinates":[
            [[[0,0],[1,0],[1,1],[0,0]]],
            [[[5,5],[6,5],[6,6],[5,5]]]]}"#;
        assert_eq!(parse_geojson_polygon(multi).unwrap().0.len(), 2);
    }

    #[test]
    fn errors_point_at_the_value() {
        let err = parse_geojson_polygon("{\"type\": \"Polygon\",").unwrap_err();
        assert!(matches!(err, ZoneError::Json { line: 1, .. }), "{err}");

        let open = r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}"#;
        let err = parse_geojson_polygon(open).unwrap_err().to_string();
        assert!(
            err.contains("`coordinates[0]`") && err.contains("not closed"),
            "{err}"
        );

        let swapped = r#"{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[45.74,126.65],[45.74,126.66],[45.75,126.66],[45.74,126.65]]]}}"#;
        let err = parse_geojson_polygon(swapped).unwrap_err().to_string();
        assert!(
            err.contains("geometry.coordinates[0][0]") && err.contains("swapped"),
            "{err}"
        );

        let text = r#"{"type":"Polygon","coordinates":[[[0,0],[1,"x"],[1,1],[0,0]]]}"#;
        let err = parse_geojson_polygon(text).unwrap_err().to_string();
        assert!(
            err.contains("coordinates[0][1][1]") && err.contains("a string"),
            "{err}"
        );

        let line = r#"{"type":"LineString","coordinates":[[0,0],[1,1]]}"#;
        let err = parse_geojson_polygon(line).unwrap_err().to_string();
        assert!(err.contains("found LineString"), "{err}");

        let short = r#"{"type":"Polygon","coordinates":[[[0,0],[1,1],[0,0]]]}"#;
        let err = parse_geojson_polygon(short).unwrap_err().to_string();
        assert!(err.contains("at least 4 positions"), "{err}");

        let empty = r#"{"type":"FeatureCollection","features":[]}"#;
        let err = parse_geojson_polygon(empty).unwrap_err().to_string();
        assert!(err.contains("no polygon"), "{err}");
    }

    #[test]
    fn reads_zones_with_properties() {
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[
            {{"type":"Feature","properties":{{"name":"巴山街32号","kind":"高风险区","checkpoint":[126.655,45.7395],
              "active_from":"2022-11-29T00:00:00+08:00"}},
             "geometry":{{"type":"Polygon","coordinates":[{SQUARE}]}}}},
            {{"type":"Feature","properties":{{"name":"士课社区","kind":"controlled"}},
             "geometry":{{"type":"Polygon","coordinates":[{SQUARE}]}}}}]}}"#
        );
        let zones = parse_geojson_zones(&text).unwrap();
        assert_eq!(zones.len(), 2);
        assert_eq!(zones[0].kind, ZoneKind::HighRisk);
        assert_eq!(
            zones[0].active.from.unwrap().to_rfc3339(),
            "2022-11-28T16:00:00+00:00"
        );
        assert_eq!(zones[1].checkpoint, None);

        let no_checkpoint = text.replace(r#","checkpoint":[126.655,45.7395]"#, "");
        let err = parse_geojson_zones(&no_checkpoint).unwrap_err().to_string();
        assert!(
            err.contains("features[0]") && err.contains("checkpoint"),
            "{err}"
        );
        let bad_kind = text.replace("controlled", "closed");
        let err = parse_geojson_zones(&bad_kind).unwrap_err().to_string();
        assert!(err.contains("features[1].properties.kind"), "{err}");
        let bad_time = text.replace("2022-11-29T00:00:00+08:00", "tomorrow");
        let err = parse_geojson_zones(&bad_time).unwrap_err().to_string();
        assert!(
            err.contains("active_from") && err.contains("RFC 3339"),
            "{err}"
        );
    }

    #[test]
    fn self_intersecting_ring_is_refused() {
        let bowtie = r#"{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}"#;
        let err = parse_geojson_polygon(bowtie).unwrap_err();
        assert!(matches!(err, ZoneError::InvalidPolygon(_)), "{err}");
    }
}

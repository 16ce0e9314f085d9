//! The offline map's base layers: the roads, compounds, buildings and landmarks of the loaded
//! extract, served as GeoJSON for the part of the map a person is looking at, simplified for
//! the zoom level they look at it with.
//!
//! No tile server can be assumed (district offices are often offline), so the browser draws
//! the map from these vectors with the vendored map library. [`MapLayers::build`] turns a
//! [`RawMap`](crate::osm::RawMap) once into features with a minimum zoom (minor roads and
//! buildings only when zoomed in), geometry pre-simplified at a few zoom levels
//! (Ramer–Douglas–Peucker at about half a screen pixel), and an R-tree over their bounding
//! boxes; [`MapLayers::geojson`] then answers a bounding box and zoom with a
//! `FeatureCollection` in a few milliseconds.
//!
//! Left to others: zones, requests and routes (they come from the database and the road
//! network, not from the extract), HTTP (`web::map`), drawing (`static/map.js`).

mod build;
pub mod svg;
mod write;

pub use build::{LayerCounts, MapLayers};

/// Largest zoom the map offers (about 0.6 m per pixel at Harbin's latitude).
pub const MAX_ZOOM: u8 = 19;

/// The largest view answered, in screen pixels per side at the asked zoom (a 4K screen with
/// the client's margin): keeps one answer bounded however the query is written.
pub const MAX_VIEW_PX: f64 = 6000.0;

/// What is wrong with a layer query, fit to show to the person (or program) who asked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MapViewError {
    #[error(
        "`{0}` is not a bounding box: write `min_lon,min_lat,max_lon,max_lat` in degrees (for example `126.64,45.74,126.66,45.76`)"
    )]
    BadBbox(String),
    #[error("zoom {0} is outside 0–{MAX_ZOOM}")]
    BadZoom(i64),
    #[error(
        "the box is {width_px:.0} × {height_px:.0} pixels at zoom {zoom}; at most {MAX_VIEW_PX:.0} per side: zoom out or ask for a smaller box"
    )]
    TooLarge {
        zoom: u8,
        width_px: f64,
        height_px: f64,
    },
}

/// A view of the map: a bounding box in WGS84 degrees and a zoom level (Web Mercator, 256 px
/// tiles).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    pub min_lon: f64,
    pub min_lat: f64,
    pub max_lon: f64,
    pub max_lat: f64,
    pub zoom: u8,
}

impl View {
    /// Reads `min_lon,min_lat,max_lon,max_lat` and a zoom, refusing boxes that are not boxes
    /// and views too large to answer at that zoom.
    pub fn parse(bbox: &str, zoom: i64) -> Result<View, MapViewError> {
        let bad = || MapViewError::BadBbox(bbox.chars().take(40).collect());
        let parts: Vec<f64> = bbox
            .split(',')
            .map(|p| p.trim().parse::<f64>().map_err(|_| bad()))
            .collect::<Result<_, _>>()?;
        let [min_lon, min_lat, max_lon, max_lat] = parts[..] else {
            return Err(bad());
        };
        let finite = parts.iter().all(|v| v.is_finite());
        let in_range = (-180.0..=180.0).contains(&min_lon)
            && (-180.0..=180.0).contains(&max_lon)
            && (-85.06..=85.06).contains(&min_lat)
            && (-85.06..=85.06).contains(&max_lat);
        if !finite || !in_range || min_lon > max_lon || min_lat > max_lat {
            return Err(bad());
        }
        if !(0..=MAX_ZOOM as i64).contains(&zoom) {
            return Err(MapViewError::BadZoom(zoom));
        }
        let view = View {
            min_lon,
            min_lat,
            max_lon,
            max_lat,
            zoom: zoom as u8,
        };
        let (width_px, height_px) = view.size_px();
        if width_px > MAX_VIEW_PX || height_px > MAX_VIEW_PX {
            return Err(MapViewError::TooLarge {
                zoom: view.zoom,
                width_px,
                height_px,
            });
        }
        Ok(view)
    }

    /// The box's size in screen pixels at its zoom.
    pub fn size_px(&self) -> (f64, f64) {
        let scale = 256.0 * 2f64.powi(self.zoom as i32);
        let width = (self.max_lon - self.min_lon) / 360.0 * scale;
        let height = (mercator_y(self.min_lat) - mercator_y(self.max_lat)) * scale;
        (width, height)
    }
}

/// Web Mercator y in [0, 1] (0 at the top) for a latitude in degrees.
fn mercator_y(lat: f64) -> f64 {
    let r = lat.to_radians();
    (1.0 - (r.tan() + 1.0 / r.cos()).ln() / std::f64::consts::PI) / 2.0
}

/// Degrees of longitude per screen pixel at a zoom level.
pub fn degrees_per_px(zoom: u8) -> f64 {
    360.0 / (256.0 * 2f64.powi(zoom as i32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_parses_and_measures_itself() {
        let v = View::parse("126.64, 45.74,126.66,45.76", 15).unwrap();
        assert_eq!(v.zoom, 15);
        let (w, h) = v.size_px();
        // 0.02° of longitude at z15 is 0.02/360 * 256 * 32768 ≈ 466 px; latitude is stretched.
        assert!((w - 466.0).abs() < 1.0, "{w}");
        assert!(h > w && h < 2.0 * w, "{h}");
    }

    #[test]
    fn malformed_views_are_refused_with_their_reason() {
        for bad in [
            "",
            "1,2,3",
            "a,b,c,d",
            "1,2,3,4,5",
            "126.66,45.74,126.64,45.76",
            "NaN,1,2,3",
            "200,0,201,1",
        ] {
            assert!(
                matches!(View::parse(bad, 15), Err(MapViewError::BadBbox(_))),
                "{bad}"
            );
        }
        assert_eq!(
            View::parse("126,45,126.1,45.1", 25),
            Err(MapViewError::BadZoom(25))
        );
        assert!(matches!(
            View::parse("120,40,130,50", 18),
            Err(MapViewError::TooLarge { .. })
        ));
        let long = "x".repeat(500);
        let Err(MapViewError::BadBbox(echo)) = View::parse(&long, 3) else {
            panic!("refused")
        };
        assert_eq!(echo.chars().count(), 40);
    }
}

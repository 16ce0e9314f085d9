//! OpenStreetMap import: `.osm.pbf` → [`RawMap`], plain data that the geocoder, the road
//! network and the map view build their own structures from.
//!
//! This module reads files and keeps tags; it does not index, route or geocode.

pub mod model;
pub mod write;

pub use model::*;

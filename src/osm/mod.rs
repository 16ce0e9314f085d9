//! OpenStreetMap import: `.osm.pbf` → [`RawMap`], plain data that the geocoder, the road
//! network and the map view build their own structures from.
//!
//! [`import`] reads a file in three parallel passes with bounded memory (see [`import`]'s
//! module for the passes), optionally clipped to a [`Clip`]; [`RawMap::save`] and
//! [`RawMap::load`] keep the result on disk. This module reads files and keeps tags; it does
//! not index, route or geocode.

mod assemble;
mod blobs;
mod build;
mod cache;
mod clip;
mod error;
mod import;
pub mod model;
mod passes;
mod tags;
pub mod write;

pub use blobs::ImportProgress;
pub use clip::Clip;
pub use error::OsmError;
pub use import::{ImportOptions, import, import_with_progress};
pub use model::*;

//! Geocoding: address text → candidates with a position, a match level, a confidence in 0–1,
//! the matched names and the parsed components.
//!
//! Built for Chinese residents' addresses in a city whose OpenStreetMap data has almost no
//! house numbers: it resolves through compounds (小区), numbered buildings inside them, POIs,
//! streets and their crossings, and places a house number by interpolation where numbered
//! neighbours exist. It reads traditional characters, full-width digits, Chinese numerals,
//! city/district prefixes (checked against boundary polygons when the data has them), one
//! wrong, missing or same-pinyin character, English and pinyin forms, and US-style addresses.
//! "No confident match" is an answer of its own.
//!
//! [`Geocoder::build`] makes the index once from a [`RawMap`](crate::osm::RawMap) (it can be
//! saved and loaded); [`Geocoder::geocode`] and [`Geocoder::suggest`] then answer from any
//! number of threads (`Geocoder` is `Send + Sync`: share it behind an `Arc`). This module does
//! not read files other than its own cache, and knows nothing of requests, zones or the web.

mod answer;
pub mod eval;
mod fuzzy;
mod index;
mod names;
pub mod normalize;
mod numbered;
mod numbers;
mod parse;
mod resolve;
mod search_latin;
mod search_zh;
mod streets;
mod suggest;
mod t2s_table;

use std::path::Path;

pub use answer::{Answer, CONFIDENT, Candidate, Components, Level, Suggestion};

use crate::osm::RawMap;

/// Errors of the geocoder's cache.
#[derive(Debug, thiserror::Error)]
pub enum GeocodeError {
    #[error("{path}: {error}")]
    Io {
        path: std::path::PathBuf,
        error: std::io::Error,
    },
    #[error("{path}: not a geocoder index of this version: {detail}")]
    BadCache {
        path: std::path::PathBuf,
        detail: String,
    },
}

/// The geocoder: an index over one map, read-only once built.
pub struct Geocoder {
    index: index::Index,
}

const MAGIC: &[u8; 8] = b"DSGEOIDX";
/// Queries are read up to this many characters.
const MAX_QUERY_CHARS: usize = 160;
const FORMAT_VERSION: u32 = 1;

impl Geocoder {
    /// Builds the index (tens of milliseconds for a district).
    pub fn build(map: &RawMap) -> Geocoder {
        Geocoder {
            index: index::Index::build(map),
        }
    }

    /// Geocodes one free-text address.
    ///
    /// ```no_run
    /// use doorstep::osm::{import, ImportOptions};
    /// let path = std::path::Path::new("../shared/data/osm/nangang.osm.pbf");
    /// let map = import(path, &ImportOptions::default())?;
    /// let g = doorstep::geocode::Geocoder::build(&map);
    /// let a = g.geocode("哈尔滨市南岗区巴山街32号");
    /// if let Some(best) = &a.best {
    ///     println!("{} {} {:?} {:.2}", best.lon, best.lat, best.level, best.confidence);
    /// }
    /// # Ok::<(), doorstep::osm::OsmError>(())
    /// ```
    pub fn geocode(&self, query: &str) -> Answer {
        let ix = &self.index;
        // An address is short; a pasted page is not searched whole (the name search grows
        // with the square of the length).
        let trimmed: &str = match query.trim().char_indices().nth(MAX_QUERY_CHARS) {
            Some((cut, _)) => &query.trim()[..cut],
            None => query.trim(),
        };
        let (mut scored, base) = if normalize::has_cjk(trimmed) {
            let norm = normalize::normalize_zh(trimmed);
            let (mut s, b) = search_zh::search(ix, &norm);
            // "红军街 Hongjun Street 85": when the Chinese part fails, the Latin part may not.
            if s.is_empty() && trimmed.chars().any(|c| c.is_ascii_alphabetic()) {
                s = search_latin::search(ix, trimmed).0;
            }
            (s, b)
        } else {
            search_latin::search(ix, trimmed)
        };
        scored.sort_by(|a, b| {
            b.0.confidence
                .total_cmp(&a.0.confidence)
                .then(a.0.level.cmp(&b.0.level))
        });
        let components = scored.first().map_or(base, |(_, c)| c.clone());
        let candidates = scored.into_iter().map(|(c, _)| c).collect();
        Answer::new(query, candidates, components)
    }

    /// Up to `limit` completions of what a resident has typed so far: compounds, streets and
    /// POIs whose name (or its pinyin) starts with it.
    pub fn suggest(&self, prefix: &str, limit: usize) -> Vec<Suggestion> {
        suggest::suggest(&self.index, prefix, limit)
    }

    /// Writes the index to `path` so a restart skips [`Geocoder::build`].
    pub fn save(&self, path: &Path) -> Result<(), GeocodeError> {
        let io = |error| GeocodeError::Io {
            path: path.to_path_buf(),
            error,
        };
        let body = postcard::to_stdvec(&self.index).map_err(|e| GeocodeError::BadCache {
            path: path.to_path_buf(),
            detail: format!("could not encode: {e}"),
        })?;
        let mut bytes = Vec::with_capacity(body.len() + 12);
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bytes.extend_from_slice(&body);
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, &bytes).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// Reads an index written by [`Geocoder::save`].
    pub fn load(path: &Path) -> Result<Geocoder, GeocodeError> {
        let bytes = std::fs::read(path).map_err(|error| GeocodeError::Io {
            path: path.to_path_buf(),
            error,
        })?;
        let bad = |detail: String| GeocodeError::BadCache {
            path: path.to_path_buf(),
            detail,
        };
        if bytes.len() < 12 || &bytes[..8] != MAGIC {
            return Err(bad("missing the DSGEOIDX signature".into()));
        }
        let mut v = [0_u8; 4];
        v.copy_from_slice(&bytes[8..12]);
        if u32::from_le_bytes(v) != FORMAT_VERSION {
            return Err(bad("another format version: rebuild the index".into()));
        }
        let index = postcard::from_bytes(&bytes[12..]).map_err(|e| bad(format!("damaged: {e}")))?;
        Ok(Geocoder { index })
    }

    /// Counts of what the index holds, for logs: (entities, streets, numbered points).
    pub fn stats(&self) -> (usize, usize, usize) {
        let ix = &self.index;
        (
            ix.entities.len(),
            ix.streets.len(),
            ix.numbers.values().map(Vec::len).sum(),
        )
    }
}

#[cfg(test)]
mod tests {
    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn the_geocoder_can_be_shared_across_threads() {
        assert_send_sync::<super::Geocoder>();
    }
}

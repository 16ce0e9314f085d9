//! The on-disk cache of a [`RawMap`], so a restart does not re-read the PBF.
//!
//! Format: an 8-byte magic, a little-endian `u32` format version, then the map in `postcard`
//! (compact, serde-based). The file is written beside its target and renamed into place, so a
//! crash never leaves half a cache behind.

use std::io::Write;
use std::path::Path;

use super::{OsmError, RawMap};

const MAGIC: &[u8; 8] = b"DSRAWMAP";
/// Bumped whenever the model changes shape: an old cache is then refused, not misread.
const FORMAT_VERSION: u32 = 1;

impl RawMap {
    /// Writes the map to `path` (atomically: a temporary file renamed into place).
    pub fn save(&self, path: &Path) -> Result<(), OsmError> {
        let bytes = postcard::to_stdvec(self).map_err(|e| OsmError::BadCache {
            path: path.to_path_buf(),
            detail: format!("could not encode: {e}"),
        })?;
        let tmp = path.with_extension("tmp");
        let write = || -> std::io::Result<()> {
            let mut f = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
            f.write_all(MAGIC)?;
            f.write_all(&FORMAT_VERSION.to_le_bytes())?;
            f.write_all(&bytes)?;
            f.into_inner().map_err(|e| e.into_error())?.sync_all()?;
            std::fs::rename(&tmp, path)
        };
        write().map_err(|e| OsmError::io(path, e))
    }

    /// Reads a map written by [`RawMap::save`]; refuses other files and other format versions.
    pub fn load(path: &Path) -> Result<RawMap, OsmError> {
        let bytes = std::fs::read(path).map_err(|e| OsmError::io(path, e))?;
        let bad = |detail: String| OsmError::BadCache {
            path: path.to_path_buf(),
            detail,
        };
        if bytes.len() < 12 || &bytes[..8] != MAGIC {
            return Err(bad("missing the DSRAWMAP signature".into()));
        }
        let mut v = [0_u8; 4];
        v.copy_from_slice(&bytes[8..12]);
        let version = u32::from_le_bytes(v);
        if version != FORMAT_VERSION {
            return Err(bad(format!(
                "format version {version}, this build reads version {FORMAT_VERSION}: re-import the PBF"
            )));
        }
        postcard::from_bytes(&bytes[12..]).map_err(|e| bad(format!("damaged content: {e}")))
    }
}

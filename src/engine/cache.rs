//! Where the map engine keeps what it built from an extract, so that a restart reads instead of
//! rebuilding: the raw map, the geocoder index and the prepared road graphs.
//!
//! The directory of one extract is named by a hash of the file's content, so a new or edited
//! extract simply misses the cache and an old one can never be read for the wrong map. Inside,
//! each file carries its own format version (checked by `osm`, `geocode` and `road` when they
//! read it); an unreadable or outdated file is rebuilt and replaced, never fatal. Only the few
//! most recently used extracts are kept.

use std::io::Read;
use std::path::{Path, PathBuf};

use sha1::{Digest, Sha1};

use super::EngineError;

/// Extract directories kept (the current one and a few earlier ones).
const KEEP_MAPS: usize = 3;

/// The cache of one extract.
#[derive(Clone, Debug)]
pub struct MapCache {
    dir: PathBuf,
}

/// Identity of an extract: its content hash and size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapSource {
    pub path: PathBuf,
    pub bytes: u64,
    /// SHA-1 of the file, hex.
    pub sha1: String,
}

impl MapSource {
    /// Reads the file once to hash it (a district extract: milliseconds; a province: about a
    /// second per 500 MB).
    pub fn identify(path: &Path) -> Result<MapSource, EngineError> {
        let io = |e: std::io::Error| EngineError::File {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        let mut file = std::fs::File::open(path).map_err(io)?;
        let mut hasher = Sha1::new();
        let mut buf = vec![0_u8; 1 << 20];
        let mut bytes = 0_u64;
        loop {
            let n = file.read(&mut buf).map_err(io)?;
            if n == 0 {
                break;
            }
            bytes += n as u64;
            hasher.update(&buf[..n]);
        }
        let sha1 = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(MapSource {
            path: path.to_path_buf(),
            bytes,
            sha1,
        })
    }
}

impl MapCache {
    /// The cache directory of `source` under `root` (created when missing); older extracts'
    /// directories beyond the few kept are removed.
    pub fn open(root: &Path, source: &MapSource) -> Result<MapCache, EngineError> {
        let maps = root.join("maps");
        let dir = maps.join(&source.sha1[..16.min(source.sha1.len())]);
        std::fs::create_dir_all(&dir).map_err(|e| EngineError::File {
            path: dir.clone(),
            message: format!("cannot create the cache directory: {e}"),
        })?;
        // A note for people looking into the directory; failure to write it is harmless.
        let _ = std::fs::write(
            dir.join("source.txt"),
            format!(
                "{}\n{} bytes\nsha1 {}\n",
                source.path.display(),
                source.bytes,
                source.sha1
            ),
        );
        touch(&dir);
        prune(&maps, &dir);
        Ok(MapCache { dir })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The raw map (`osm` module's cache format).
    pub fn raw_map(&self) -> PathBuf {
        self.dir.join("raw-map.bin")
    }

    /// The geocoder index (`geocode` module's cache format).
    pub fn geocoder(&self) -> PathBuf {
        self.dir.join("geocoder.bin")
    }

    /// The prepared road graphs, one file per mode and zone configuration (`road::ChCache`).
    pub fn road_graphs(&self) -> PathBuf {
        self.dir.join("road")
    }
}

fn touch(dir: &Path) {
    let marker = dir.join("used");
    let _ = std::fs::write(&marker, b"");
}

/// Removes the directories of extracts not used recently (by their `used` marker's time).
fn prune(maps: &Path, keep: &Path) {
    let Ok(entries) = std::fs::read_dir(maps) else {
        return;
    };
    let mut dirs: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir() && e.path() != keep)
        .map(|e| {
            let used = std::fs::metadata(e.path().join("used"))
                .and_then(|m| m.modified())
                .unwrap_or(std::time::SystemTime::UNIX_EPOCH);
            (used, e.path())
        })
        .collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.0));
    for (_, dir) in dirs.into_iter().skip(KEEP_MAPS - 1) {
        if let Err(e) = std::fs::remove_dir_all(&dir) {
            tracing::warn!(dir = %dir.display(), error = %e, "could not remove an old map cache");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_directory_follows_the_content_not_the_name() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.pbf");
        let b = dir.path().join("b.pbf");
        std::fs::write(&a, b"one").unwrap();
        std::fs::write(&b, b"one").unwrap();
        let (sa, sb) = (
            MapSource::identify(&a).unwrap(),
            MapSource::identify(&b).unwrap(),
        );
        assert_eq!(sa.sha1, sb.sha1);
        let root = dir.path().join("cache");
        let ca = MapCache::open(&root, &sa).unwrap();
        assert_eq!(ca.dir(), MapCache::open(&root, &sb).unwrap().dir());
        std::fs::write(&b, b"two").unwrap();
        let sb = MapSource::identify(&b).unwrap();
        assert_ne!(ca.dir(), MapCache::open(&root, &sb).unwrap().dir());
    }

    #[test]
    fn only_a_few_extracts_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("cache");
        for i in 0..(KEEP_MAPS + 2) {
            let f = dir.path().join(format!("{i}.pbf"));
            std::fs::write(&f, format!("map {i}")).unwrap();
            MapCache::open(&root, &MapSource::identify(&f).unwrap()).unwrap();
        }
        let kept = std::fs::read_dir(root.join("maps")).unwrap().count();
        assert_eq!(kept, KEEP_MAPS);
    }

    #[test]
    fn a_missing_file_is_named() {
        let e = MapSource::identify(Path::new("/nonexistent/x.pbf")).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/x.pbf"), "{e}");
    }
}

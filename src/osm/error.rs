//! Errors of the `osm` module: every one names the file and, where it applies, the byte offset
//! and what the reader expected to find there.

use std::path::PathBuf;

/// What went wrong while importing an extract or reading/writing the raw-map cache.
#[derive(Debug, thiserror::Error)]
pub enum OsmError {
    /// The file could not be opened or read.
    /// (The io error is part of the message, not a `source`, so it is printed once.)
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },

    /// The file ends inside a blob: the PBF was cut short (an interrupted download or copy).
    #[error(
        "{path}: truncated PBF: the blob at byte offset {offset} needs {needed_bytes} more bytes \
         but the file ends at byte {file_len} (expected {expected})"
    )]
    Truncated {
        path: PathBuf,
        offset: u64,
        needed_bytes: u64,
        file_len: u64,
        expected: &'static str,
    },

    /// The bytes at `offset` are not what the PBF format prescribes there.
    #[error("{path}: corrupt PBF at byte offset {offset}: expected {expected}: {detail}")]
    Corrupt {
        path: PathBuf,
        offset: u64,
        expected: &'static str,
        detail: String,
    },

    /// The file is a valid PBF but needs a feature this reader lacks (e.g. `HistoricalInformation`).
    #[error(
        "{path}: unsupported PBF feature {feature:?} (this importer reads plain OSM snapshots)"
    )]
    UnsupportedFeature { path: PathBuf, feature: String },

    /// A clip option (`--bbox`, `--polygon`) could not be understood.
    #[error("{source_name}: invalid clip area: {detail}")]
    InvalidClip { source_name: String, detail: String },

    /// The raw-map cache file is not one this version wrote (or it is damaged).
    #[error("{path}: not a doorstep raw-map cache of this version: {detail}")]
    BadCache { path: PathBuf, detail: String },
}

impl OsmError {
    pub(crate) fn io(path: impl Into<PathBuf>, error: std::io::Error) -> Self {
        OsmError::Io {
            path: path.into(),
            error,
        }
    }
}

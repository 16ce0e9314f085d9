//! The PBF file as a list of blobs, and a parallel pass over a chosen subset of them.
//!
//! A first scan reads only the blob headers (no decompression) and checks the framing against
//! the file length, so a truncated or damaged file is reported with its byte offset before any
//! work is done. Each pass then reads the compressed blobs it needs in file order on one thread
//! and decodes them on all cores (rayon `par_bridge`): at most a few blobs are in flight, so
//! memory stays bounded by what the passes keep, not by the file size.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use osmpbf::{BlobDecode, BlobReader, BlobType, ByteOffset, PrimitiveBlock};
use rayon::prelude::*;

use super::OsmError;

/// Where an import is, for a progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImportProgress {
    /// The pass under way: `"scan"`, `"nodes and relations"`, `"ways"`, `"coordinates"`.
    pub pass: &'static str,
    /// Compressed bytes of this pass's blobs done so far.
    pub done_bytes: u64,
    /// Compressed bytes of this pass's blobs in all.
    pub total_bytes: u64,
}

/// One blob of the file: where it starts, how long it is (length prefix, header and body).
#[derive(Clone, Copy, Debug)]
pub(crate) struct BlobEntry {
    pub offset: u64,
    pub len: u64,
    pub is_data: bool,
}

/// The framing of a PBF file, checked against its length.
#[derive(Debug)]
pub(crate) struct BlobIndex {
    pub path: PathBuf,
    pub blobs: Vec<BlobEntry>,
    /// The header's bounding box as (left, bottom, right, top) in degrees, when it has one.
    pub header_bbox: Option<(f64, f64, f64, f64)>,
}

const HEADER_EXPECTED: &str = "a blob: 4-byte big-endian header length, then a BlobHeader message";

impl BlobIndex {
    /// Scans the blob headers of `path`; fails on a truncated or corrupt framing, on a file
    /// with no OSMHeader first, and on required features this reader lacks.
    pub(crate) fn scan(path: &Path) -> Result<BlobIndex, OsmError> {
        let file = File::open(path).map_err(|e| OsmError::io(path, e))?;
        let file_len = file.metadata().map_err(|e| OsmError::io(path, e))?.len();
        let mut reader = BlobReader::new_seekable(BufReader::new(file))
            .map_err(|e| corrupt(path, 0, HEADER_EXPECTED, e))?;
        let mut blobs: Vec<BlobEntry> = Vec::new();
        let mut next_offset = 0_u64;
        while let Some(item) = reader.next_header_skip_blob() {
            let (header, offset) = match item {
                Ok(x) => x,
                Err(e) => return Err(framing_error(path, next_offset, file_len, e)),
            };
            let offset = offset.map_or(next_offset, |o| o.0);
            let end = reader
                .seek_raw(SeekFrom::Current(0))
                .map_err(|e| corrupt(path, offset, HEADER_EXPECTED, e))?;
            if end > file_len {
                return Err(OsmError::Truncated {
                    path: path.to_path_buf(),
                    offset,
                    needed_bytes: end - file_len,
                    file_len,
                    expected: "the blob body its header announces",
                });
            }
            blobs.push(BlobEntry {
                offset,
                len: end - offset,
                is_data: header.blob_type() == BlobType::OsmData,
            });
            next_offset = end;
        }
        if next_offset < file_len {
            // osmpbf stops quietly on 1–3 stray bytes; a complete file has none.
            return Err(OsmError::Truncated {
                path: path.to_path_buf(),
                offset: next_offset,
                needed_bytes: 4 - (file_len - next_offset).min(3),
                file_len,
                expected: "a 4-byte blob header length",
            });
        }
        if blobs.is_empty() {
            return Err(OsmError::Corrupt {
                path: path.to_path_buf(),
                offset: 0,
                expected: "an OSMHeader blob",
                detail: "the file is empty".into(),
            });
        }
        let header_bbox = read_header(path, &mut reader, blobs[0])?;
        Ok(BlobIndex {
            path: path.to_path_buf(),
            blobs,
            header_bbox,
        })
    }

    /// Total compressed bytes of the blobs `select` accepts.
    pub(crate) fn bytes_of(&self, select: &[usize]) -> u64 {
        select.iter().map(|&i| self.blobs[i].len).sum()
    }

    /// Runs `work` on every selected data blob, in parallel, and returns the results in the
    /// order of `select`.
    pub(crate) fn pass<T, F>(
        &self,
        pass: &'static str,
        select: &[usize],
        progress: &(dyn Fn(ImportProgress) + Sync),
        work: F,
    ) -> Result<Vec<T>, OsmError>
    where
        T: Send,
        F: Fn(usize, &PrimitiveBlock) -> T + Sync,
    {
        let path = self.path.as_path();
        let file = File::open(path).map_err(|e| OsmError::io(path, e))?;
        let mut reader = BlobReader::new_seekable(BufReader::new(file))
            .map_err(|e| corrupt(path, 0, HEADER_EXPECTED, e))?;
        let total_bytes = self.bytes_of(select);
        let done = AtomicU64::new(0);
        progress(ImportProgress {
            pass,
            done_bytes: 0,
            total_bytes,
        });
        let mut results: Vec<(usize, T)> = select
            .iter()
            .map(|&i| {
                let entry = self.blobs[i];
                let blob = reader
                    .blob_from_offset(ByteOffset(entry.offset))
                    .map_err(|e| corrupt(path, entry.offset, HEADER_EXPECTED, e));
                (i, entry, blob)
            })
            .par_bridge()
            .map(|(i, entry, blob)| {
                let blob = blob?;
                let block = match blob.decode() {
                    Ok(BlobDecode::OsmData(block)) => block,
                    Ok(_) => {
                        return Err(OsmError::Corrupt {
                            path: path.to_path_buf(),
                            offset: entry.offset,
                            expected: "an OSMData blob",
                            detail: "the blob changed type between scan and read".into(),
                        });
                    }
                    Err(e) => {
                        return Err(corrupt(
                            path,
                            entry.offset,
                            "a zlib- or raw-encoded PrimitiveBlock",
                            e,
                        ));
                    }
                };
                let out = work(i, &block);
                let done_bytes = done.fetch_add(entry.len, Ordering::Relaxed) + entry.len;
                progress(ImportProgress {
                    pass,
                    done_bytes,
                    total_bytes,
                });
                Ok((i, out))
            })
            .collect::<Result<Vec<_>, OsmError>>()?;
        results.sort_by_key(|(i, _)| *i);
        Ok(results.into_iter().map(|(_, t)| t).collect())
    }
}

fn corrupt(path: &Path, offset: u64, expected: &'static str, e: osmpbf::Error) -> OsmError {
    OsmError::Corrupt {
        path: path.to_path_buf(),
        offset,
        expected,
        detail: e.to_string(),
    }
}

/// Turns a failed header read into "truncated" when the announced header runs past the end.
fn framing_error(path: &Path, offset: u64, file_len: u64, e: osmpbf::Error) -> OsmError {
    let mut len_prefix = [0_u8; 4];
    let header_len = File::open(path)
        .and_then(|mut f| {
            f.seek(SeekFrom::Start(offset))?;
            f.read_exact(&mut len_prefix)
        })
        .map(|()| u64::from(u32::from_be_bytes(len_prefix)))
        .ok();
    match header_len {
        Some(n) if offset + 4 + n > file_len && n < 64 * 1024 => OsmError::Truncated {
            path: path.to_path_buf(),
            offset,
            needed_bytes: offset + 4 + n - file_len,
            file_len,
            expected: "a complete BlobHeader message",
        },
        _ => corrupt(path, offset, HEADER_EXPECTED, e),
    }
}

fn read_header<R: Read + Seek + Send>(
    path: &Path,
    reader: &mut BlobReader<R>,
    first: BlobEntry,
) -> Result<Option<(f64, f64, f64, f64)>, OsmError> {
    let blob = reader
        .blob_from_offset(ByteOffset(first.offset))
        .map_err(|e| corrupt(path, first.offset, HEADER_EXPECTED, e))?;
    let header = match blob.decode() {
        Ok(BlobDecode::OsmHeader(h)) => h,
        Ok(_) => {
            return Err(OsmError::Corrupt {
                path: path.to_path_buf(),
                offset: first.offset,
                expected: "an OSMHeader blob first",
                detail: "the first blob is not an OSMHeader".into(),
            });
        }
        Err(e) => return Err(corrupt(path, first.offset, "an OSMHeader block", e)),
    };
    for feature in header.required_features() {
        if !matches!(feature.as_str(), "OsmSchema-V0.6" | "DenseNodes") {
            return Err(OsmError::UnsupportedFeature {
                path: path.to_path_buf(),
                feature: feature.clone(),
            });
        }
    }
    Ok(header.bbox().map(|b| (b.left, b.bottom, b.right, b.top)))
}

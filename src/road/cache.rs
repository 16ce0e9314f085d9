//! Prepared hierarchies on disk, so that a restart or a re-plan never redoes a preparation
//! it already did.
//!
//! A file is named by mode and key; the key is a hash of everything the hierarchy depends on
//! — the format version, the preparation parameters, the node count and every through-route
//! arc with its time, length and road edge — so a new map, new speeds or new zones simply
//! miss the cache, and a stale file can never be read for the wrong graph. Files are written
//! to a temporary name and renamed, checked by a trailing checksum when read, and only the
//! most recent few per mode are kept.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::ch::{ChArc, ContractionHierarchy, PARAMS_TAG, Unpack};
use super::mode::TravelMode;
use super::overlay::Arcs;

const MAGIC: &[u8; 8] = b"DSTPCH\0\0";
/// Bump when the layout of a file or the meaning of its numbers changes.
const FORMAT_VERSION: u32 = 1;
/// Files kept per mode (the base map and a few zone configurations).
const KEEP_PER_MODE: usize = 6;

/// A directory of prepared hierarchies.
#[derive(Clone, Debug)]
pub struct ChCache {
    dir: PathBuf,
}

/// 64-bit FNV-1a: stable across Rust versions and platforms, unlike `DefaultHasher`.
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn bytes(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= *b as u64;
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn u32(&mut self, v: u32) {
        self.bytes(&v.to_le_bytes());
    }
}

/// The cache key of a hierarchy over these arcs.
pub(crate) fn key(num_nodes: usize, arcs: &Arcs) -> u64 {
    let mut h = Fnv::new();
    h.u32(FORMAT_VERSION);
    h.bytes(PARAMS_TAG.as_bytes());
    h.u32(num_nodes as u32);
    for tail in 0..num_nodes {
        for a in arcs.out(tail as u32) {
            h.u32(tail as u32);
            h.u32(a.head);
            h.u32(a.ms);
            h.u32(a.cm);
            h.u32((a.edge << 1) | a.backward as u32);
        }
    }
    h.0
}

impl ChCache {
    /// Uses (and creates when missing) this directory.
    pub fn open(dir: impl Into<PathBuf>) -> std::io::Result<Self> {
        let dir = dir.into();
        fs::create_dir_all(&dir)?;
        Ok(ChCache { dir })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, mode: TravelMode, key: u64) -> PathBuf {
        self.dir.join(format!("ch-{mode}-{key:016x}.bin"))
    }

    /// The hierarchy stored under this key, if there is a sound one.
    pub(crate) fn load(&self, mode: TravelMode, key: u64) -> Option<ContractionHierarchy> {
        let path = self.path(mode, key);
        let bytes = fs::read(&path).ok()?;
        match decode(&bytes, key) {
            Some(ch) => {
                // Touch it so that pruning keeps what is in use.
                let _ = fs::File::options()
                    .append(true)
                    .open(&path)
                    .and_then(|f| f.set_modified(std::time::SystemTime::now()));
                Some(ch)
            }
            None => {
                tracing::warn!(path = %path.display(), "ignoring unreadable prepared-graph cache file");
                None
            }
        }
    }

    /// Stores a hierarchy; failures are logged, never fatal (the cache is an optimisation).
    pub(crate) fn store(&self, mode: TravelMode, key: u64, ch: &ContractionHierarchy) {
        let path = self.path(mode, key);
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let result = fs::File::create(&tmp)
            .and_then(|mut f| f.write_all(&encode(ch, key)).and_then(|_| f.sync_all()))
            .and_then(|_| fs::rename(&tmp, &path));
        if let Err(e) = result {
            let _ = fs::remove_file(&tmp);
            tracing::warn!(path = %path.display(), error = %e, "could not write prepared-graph cache");
            return;
        }
        self.prune(mode);
    }

    fn prune(&self, mode: TravelMode) {
        let prefix = format!("ch-{mode}-");
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
            .filter_map(Result::ok)
            .filter(|e| {
                let name = e.file_name();
                let name = name.to_string_lossy();
                name.starts_with(&prefix) && name.ends_with(".bin")
            })
            .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
            .collect();
        files.sort_by_key(|f| std::cmp::Reverse(f.0));
        for (_, path) in files.into_iter().skip(KEEP_PER_MODE) {
            let _ = fs::remove_file(path);
        }
    }
}

fn encode(ch: &ContractionHierarchy, key: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(ch.memory_bytes() + 64);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&key.to_le_bytes());
    let mut put = |values: &mut dyn Iterator<Item = u32>, len: usize| {
        out.extend_from_slice(&(len as u64).to_le_bytes());
        for v in values {
            out.extend_from_slice(&v.to_le_bytes());
        }
    };
    put(&mut ch.rank.iter().copied(), ch.rank.len());
    put(&mut ch.fwd_first.iter().copied(), ch.fwd_first.len());
    put(&mut ch.bwd_first.iter().copied(), ch.bwd_first.len());
    for arcs in [&ch.fwd, &ch.bwd] {
        put(
            &mut arcs.iter().flat_map(|a| [a.other, a.ms, a.cm]),
            arcs.len() * 3,
        );
    }
    for unpack in [&ch.fwd_unpack, &ch.bwd_unpack] {
        put(
            &mut unpack.iter().flat_map(|u| [u.first, u.second]),
            unpack.len() * 2,
        );
    }
    let mut h = Fnv::new();
    h.bytes(&out);
    out.extend_from_slice(&h.0.to_le_bytes());
    out
}

fn decode(bytes: &[u8], key: u64) -> Option<ContractionHierarchy> {
    let body_len = bytes.len().checked_sub(8)?;
    let (body, sum) = bytes.split_at(body_len);
    let mut h = Fnv::new();
    h.bytes(body);
    if sum != h.0.to_le_bytes() {
        return None;
    }
    let mut r = Reader { bytes: body, at: 0 };
    if r.take(8)? != MAGIC
        || r.u32()? != FORMAT_VERSION
        || u64::from_le_bytes(r.take(8)?.try_into().ok()?) != key
    {
        return None;
    }
    let rank = r.u32s()?;
    let fwd_first = r.u32s()?;
    let bwd_first = r.u32s()?;
    let arcs = |v: Vec<u32>| -> Vec<ChArc> {
        v.chunks_exact(3)
            .map(|c| ChArc {
                other: c[0],
                ms: c[1],
                cm: c[2],
            })
            .collect()
    };
    let unpacks = |v: Vec<u32>| -> Vec<Unpack> {
        v.chunks_exact(2)
            .map(|c| Unpack {
                first: c[0],
                second: c[1],
            })
            .collect()
    };
    let fwd = arcs(r.u32s()?);
    let bwd = arcs(r.u32s()?);
    let fwd_unpack = unpacks(r.u32s()?);
    let bwd_unpack = unpacks(r.u32s()?);
    let n = rank.len();
    let mut node_at = vec![u32::MAX; n];
    for (node, &rk) in rank.iter().enumerate() {
        *node_at.get_mut(rk as usize)? = node as u32;
    }
    let consistent = r.at == body.len()
        && fwd_first.len() == n + 1
        && bwd_first.len() == n + 1
        && fwd_first.last().copied()? as usize == fwd.len()
        && bwd_first.last().copied()? as usize == bwd.len()
        && fwd_unpack.len() == fwd.len()
        && bwd_unpack.len() == bwd.len()
        && !node_at.contains(&u32::MAX)
        && fwd.iter().chain(&bwd).all(|a| (a.other as usize) < n)
        && fwd_unpack.iter().chain(&bwd_unpack).all(|u| {
            u.first == u32::MAX
                || ((u.first as usize) < bwd.len() && (u.second as usize) < fwd.len())
        });
    consistent.then_some(ContractionHierarchy {
        rank,
        node_at,
        fwd_first,
        fwd,
        fwd_unpack,
        bwd_first,
        bwd,
        bwd_unpack,
    })
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let end = self.at.checked_add(n)?;
        let s = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(s)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u32s(&mut self) -> Option<Vec<u32>> {
        let len = u64::from_le_bytes(self.take(8)?.try_into().ok()?) as usize;
        let raw = self.take(len.checked_mul(4)?)?;
        Some(
            raw.chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        )
    }
}

//! A small `.osm.pbf` writer: plain nodes, ways and relations → the OSM PBF file format
//! (protobuf blocks, zlib-compressed), readable by osmpbf, osmium and every other OSM tool.
//!
//! It exists so that the project can make its own fixtures (the sample district in `data/`,
//! tiny hand-made maps in tests). It writes what a fixture needs — dense nodes, ways,
//! relations, tags, a bounding box — and nothing else (no metadata, no history, no
//! change sets). Elements are written sorted by type, then id, as most tools expect.
//!
//! The encoding follows `osmformat.proto` and `fileformat.proto` of the OSM-binary project:
//! a file is a sequence of `BlobHeader` + `Blob`; the first blob is an `OSMHeader`, then
//! `OSMData` blobs of at most [`ELEMENTS_PER_BLOCK`] elements each.

use std::io::Write;

use flate2::Compression;
use flate2::write::ZlibEncoder;

/// Elements per primitive block (the format suggests 8,000).
pub const ELEMENTS_PER_BLOCK: usize = 8_000;

/// Coordinates are stored in units of 100 nanodegrees (the format's default granularity).
const GRANULARITY_NANODEG: i64 = 100;

/// A node: id, position in WGS84 degrees, tags.
#[derive(Clone, Debug, PartialEq)]
pub struct WriteNode {
    pub id: i64,
    pub lon: f64,
    pub lat: f64,
    pub tags: Vec<(String, String)>,
}

/// A way: id, node ids in order, tags.
#[derive(Clone, Debug, PartialEq)]
pub struct WriteWay {
    pub id: i64,
    pub refs: Vec<i64>,
    pub tags: Vec<(String, String)>,
}

/// The type of a relation member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberKind {
    Node = 0,
    Way = 1,
    Relation = 2,
}

/// A relation member: its kind, id and role (e.g. `outer`).
#[derive(Clone, Debug, PartialEq)]
pub struct WriteMember {
    pub kind: MemberKind,
    pub id: i64,
    pub role: String,
}

/// A relation: id, members in order, tags.
#[derive(Clone, Debug, PartialEq)]
pub struct WriteRelation {
    pub id: i64,
    pub members: Vec<WriteMember>,
    pub tags: Vec<(String, String)>,
}

/// Everything to write into one file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OsmData {
    pub nodes: Vec<WriteNode>,
    pub ways: Vec<WriteWay>,
    pub relations: Vec<WriteRelation>,
}

/// Why writing failed.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("writing the PBF: {0}")]
    Io(#[from] std::io::Error),
    #[error("a coordinate is not finite or out of range: node {0}")]
    BadCoordinate(i64),
    #[error("a block is too large for the format ({0} bytes)")]
    BlockTooLarge(usize),
}

/// Encodes `data` as an `.osm.pbf` file into `out`.
pub fn write_pbf(data: &OsmData, out: &mut impl Write) -> Result<(), WriteError> {
    let mut nodes: Vec<&WriteNode> = data.nodes.iter().collect();
    let mut ways: Vec<&WriteWay> = data.ways.iter().collect();
    let mut relations: Vec<&WriteRelation> = data.relations.iter().collect();
    nodes.sort_by_key(|n| n.id);
    ways.sort_by_key(|w| w.id);
    relations.sort_by_key(|r| r.id);
    for n in &nodes {
        if !(n.lon.is_finite() && n.lat.is_finite()) || n.lon.abs() > 180.0 || n.lat.abs() > 90.0 {
            return Err(WriteError::BadCoordinate(n.id));
        }
    }

    write_blob(out, "OSMHeader", &header_block(&nodes))?;
    for chunk in nodes.chunks(ELEMENTS_PER_BLOCK) {
        let mut strings = StringTable::default();
        let group = dense_nodes_group(chunk, &mut strings);
        write_blob(out, "OSMData", &primitive_block(strings, group))?;
    }
    for chunk in ways.chunks(ELEMENTS_PER_BLOCK) {
        let mut strings = StringTable::default();
        let mut group = Proto::default();
        for way in chunk {
            group.message(3, &encode_way(way, &mut strings));
        }
        write_blob(out, "OSMData", &primitive_block(strings, group))?;
    }
    for chunk in relations.chunks(ELEMENTS_PER_BLOCK) {
        let mut strings = StringTable::default();
        let mut group = Proto::default();
        for rel in chunk {
            group.message(4, &encode_relation(rel, &mut strings));
        }
        write_blob(out, "OSMData", &primitive_block(strings, group))?;
    }
    Ok(())
}

fn header_block(nodes: &[&WriteNode]) -> Proto {
    let mut header = Proto::default();
    if !nodes.is_empty() {
        let (mut left, mut right, mut bottom, mut top) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for n in nodes {
            left = left.min(n.lon);
            right = right.max(n.lon);
            bottom = bottom.min(n.lat);
            top = top.max(n.lat);
        }
        let mut bbox = Proto::default();
        bbox.sint64(1, nanodeg(left));
        bbox.sint64(2, nanodeg(right));
        bbox.sint64(3, nanodeg(top));
        bbox.sint64(4, nanodeg(bottom));
        header.message(1, &bbox);
    }
    header.bytes(4, b"OsmSchema-V0.6");
    header.bytes(4, b"DenseNodes");
    header.bytes(5, b"Sort.Type_then_ID");
    header.bytes(16, b"doorstep");
    header
}

fn nanodeg(deg: f64) -> i64 {
    (deg * 1e9).round() as i64
}

/// Position in units of [`GRANULARITY_NANODEG`].
fn fixed(deg: f64) -> i64 {
    (deg * 1e9 / GRANULARITY_NANODEG as f64).round() as i64
}

fn dense_nodes_group(nodes: &[&WriteNode], strings: &mut StringTable) -> Proto {
    let (mut ids, mut lats, mut lons, mut keys_vals) = (vec![], vec![], vec![], vec![]);
    let (mut last_id, mut last_lat, mut last_lon) = (0i64, 0i64, 0i64);
    for n in nodes {
        let (lat, lon) = (fixed(n.lat), fixed(n.lon));
        ids.push(n.id - last_id);
        lats.push(lat - last_lat);
        lons.push(lon - last_lon);
        (last_id, last_lat, last_lon) = (n.id, lat, lon);
        for (k, v) in &n.tags {
            keys_vals.push(strings.index(k) as u64);
            keys_vals.push(strings.index(v) as u64);
        }
        keys_vals.push(0);
    }
    let mut dense = Proto::default();
    dense.packed_sint64(1, &ids);
    dense.packed_sint64(8, &lats);
    dense.packed_sint64(9, &lons);
    dense.packed_varint(10, &keys_vals);
    let mut group = Proto::default();
    group.message(2, &dense);
    group
}

fn encode_way(way: &WriteWay, strings: &mut StringTable) -> Proto {
    let mut msg = Proto::default();
    msg.varint(1, way.id as u64);
    let (keys, vals) = strings.tags(&way.tags);
    msg.packed_varint(2, &keys);
    msg.packed_varint(3, &vals);
    let mut last = 0i64;
    let deltas: Vec<i64> = way
        .refs
        .iter()
        .map(|&r| {
            let d = r - last;
            last = r;
            d
        })
        .collect();
    msg.packed_sint64(8, &deltas);
    msg
}

fn encode_relation(rel: &WriteRelation, strings: &mut StringTable) -> Proto {
    let mut msg = Proto::default();
    msg.varint(1, rel.id as u64);
    let (keys, vals) = strings.tags(&rel.tags);
    msg.packed_varint(2, &keys);
    msg.packed_varint(3, &vals);
    let roles: Vec<u64> = rel
        .members
        .iter()
        .map(|m| strings.index(&m.role) as u64)
        .collect();
    let mut last = 0i64;
    let ids: Vec<i64> = rel
        .members
        .iter()
        .map(|m| {
            let d = m.id - last;
            last = m.id;
            d
        })
        .collect();
    let kinds: Vec<u64> = rel.members.iter().map(|m| m.kind as u64).collect();
    msg.packed_varint(8, &roles);
    msg.packed_sint64(9, &ids);
    msg.packed_varint(10, &kinds);
    msg
}

fn primitive_block(strings: StringTable, group: Proto) -> Proto {
    let mut table = Proto::default();
    for s in &strings.strings {
        table.bytes(1, s.as_bytes());
    }
    let mut block = Proto::default();
    block.message(1, &table);
    block.message(2, &group);
    block.varint(17, GRANULARITY_NANODEG as u64);
    block
}

fn write_blob(out: &mut impl Write, kind: &str, payload: &Proto) -> Result<(), WriteError> {
    let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
    z.write_all(&payload.buf)?;
    let compressed = z.finish()?;
    let mut blob = Proto::default();
    blob.varint(2, payload.buf.len() as u64);
    blob.bytes(3, &compressed);
    let mut header = Proto::default();
    header.bytes(1, kind.as_bytes());
    header.varint(3, blob.buf.len() as u64);
    // The format caps a blob at 32 MiB and a header at 64 KiB.
    if blob.buf.len() > 32 << 20 {
        return Err(WriteError::BlockTooLarge(blob.buf.len()));
    }
    let header_len =
        u32::try_from(header.buf.len()).map_err(|_| WriteError::BlockTooLarge(header.buf.len()))?;
    out.write_all(&header_len.to_be_bytes())?;
    out.write_all(&header.buf)?;
    out.write_all(&blob.buf)?;
    Ok(())
}

/// A block's string table; index 0 is the empty string, by convention of the format.
struct StringTable {
    strings: Vec<String>,
    index: std::collections::HashMap<String, usize>,
}

impl Default for StringTable {
    fn default() -> Self {
        StringTable {
            strings: vec![String::new()],
            index: std::collections::HashMap::new(),
        }
    }
}

impl StringTable {
    fn index(&mut self, s: &str) -> usize {
        if s.is_empty() {
            return 0;
        }
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        self.strings.push(s.to_owned());
        self.index.insert(s.to_owned(), self.strings.len() - 1);
        self.strings.len() - 1
    }

    fn tags(&mut self, tags: &[(String, String)]) -> (Vec<u64>, Vec<u64>) {
        tags.iter()
            .map(|(k, v)| (self.index(k) as u64, self.index(v) as u64))
            .unzip()
    }
}

/// A protobuf message being encoded.
#[derive(Default)]
struct Proto {
    buf: Vec<u8>,
}

impl Proto {
    fn raw_varint(buf: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            buf.push((v as u8) | 0x80);
            v >>= 7;
        }
        buf.push(v as u8);
    }

    fn key(&mut self, field: u32, wire: u8) {
        Self::raw_varint(&mut self.buf, (u64::from(field) << 3) | u64::from(wire));
    }

    fn varint(&mut self, field: u32, v: u64) {
        self.key(field, 0);
        Self::raw_varint(&mut self.buf, v);
    }

    fn sint64(&mut self, field: u32, v: i64) {
        self.varint(field, zigzag(v));
    }

    fn bytes(&mut self, field: u32, b: &[u8]) {
        self.key(field, 2);
        Self::raw_varint(&mut self.buf, b.len() as u64);
        self.buf.extend_from_slice(b);
    }

    fn message(&mut self, field: u32, m: &Proto) {
        self.bytes(field, &m.buf);
    }

    fn packed_varint(&mut self, field: u32, vs: &[u64]) {
        if vs.is_empty() {
            return;
        }
        let mut inner = Vec::with_capacity(vs.len() * 2);
        for &v in vs {
            Self::raw_varint(&mut inner, v);
        }
        self.bytes(field, &inner);
    }

    fn packed_sint64(&mut self, field: u32, vs: &[i64]) {
        let z: Vec<u64> = vs.iter().map(|&v| zigzag(v)).collect();
        self.packed_varint(field, &z);
    }
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use osmpbf::{Element, ElementReader, RelMemberType};

    fn tags(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn osmpbf_reads_back_what_was_written() {
        let data = OsmData {
            nodes: vec![
                WriteNode {
                    id: 2,
                    lon: 126.6512345,
                    lat: 45.7512345,
                    tags: tags(&[("amenity", "pharmacy"), ("name", "康宁大药房")]),
                },
                WriteNode {
                    id: 1,
                    lon: -76.5,
                    lat: -39.25,
                    tags: vec![],
                },
                WriteNode {
                    id: 3,
                    lon: 126.652,
                    lat: 45.752,
                    tags: vec![],
                },
            ],
            ways: vec![WriteWay {
                id: 10,
                refs: vec![1, 3, 2],
                tags: tags(&[("highway", "residential"), ("name", "巴山街")]),
            }],
            relations: vec![WriteRelation {
                id: 5,
                members: vec![
                    WriteMember {
                        kind: MemberKind::Way,
                        id: 10,
                        role: "outer".into(),
                    },
                    WriteMember {
                        kind: MemberKind::Node,
                        id: 2,
                        role: String::new(),
                    },
                ],
                tags: tags(&[("type", "boundary"), ("admin_level", "8")]),
            }],
        };
        let mut bytes = Vec::new();
        write_pbf(&data, &mut bytes).unwrap();

        let reader = ElementReader::new(std::io::Cursor::new(bytes));
        let mut seen = Vec::new();
        reader
            .for_each(|el| match el {
                Element::DenseNode(n) => seen.push(format!(
                    "n{} {:.7} {:.7} {:?}",
                    n.id(),
                    n.lon(),
                    n.lat(),
                    n.tags().collect::<Vec<_>>()
                )),
                Element::Way(w) => seen.push(format!(
                    "w{} {:?} {:?}",
                    w.id(),
                    w.refs().collect::<Vec<_>>(),
                    w.tags().collect::<Vec<_>>()
                )),
                Element::Relation(r) => {
                    let m: Vec<_> = r
                        .members()
                        .map(|m| {
                            let kind = match m.member_type {
                                RelMemberType::Node => "n",
                                RelMemberType::Way => "w",
                                RelMemberType::Relation => "r",
                            };
                            format!("{kind}{}:{}", m.member_id, m.role().unwrap())
                        })
                        .collect();
                    seen.push(format!(
                        "r{} {m:?} {:?}",
                        r.id(),
                        r.tags().collect::<Vec<_>>()
                    ))
                }
                Element::Node(_) => seen.push("plain node".into()),
            })
            .unwrap();
        assert_eq!(
            seen,
            vec![
                "n1 -76.5000000 -39.2500000 []",
                "n2 126.6512345 45.7512345 [(\"amenity\", \"pharmacy\"), (\"name\", \"康宁大药房\")]",
                "n3 126.6520000 45.7520000 []",
                "w10 [1, 3, 2] [(\"highway\", \"residential\"), (\"name\", \"巴山街\")]",
                "r5 [\"w10:outer\", \"n2:\"] [(\"type\", \"boundary\"), (\"admin_level\", \"8\")]",
            ]
        );
    }

    #[test]
    fn rejects_a_coordinate_out_of_range() {
        let data = OsmData {
            nodes: vec![WriteNode {
                id: 1,
                lon: 200.0,
                lat: 0.0,
                tags: vec![],
            }],
            ..OsmData::default()
        };
        let err = write_pbf(&data, &mut Vec::new()).unwrap_err();
        assert!(matches!(err, WriteError::BadCoordinate(1)));
    }

    #[test]
    fn zigzag_matches_protobuf() {
        assert_eq!(zigzag(0), 0);
        assert_eq!(zigzag(-1), 1);
        assert_eq!(zigzag(1), 2);
        assert_eq!(zigzag(-2), 3);
        assert_eq!(zigzag(i64::MIN), u64::MAX);
    }
}

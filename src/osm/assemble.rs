//! Multipolygon assembly: member ways of a relation → closed rings → polygons with holes.
//!
//! Ways are joined where they share an end node (reversing as needed). Rings that do not close
//! are dropped (an extract cut through the relation); inner rings go to the smallest outer ring
//! that contains them. Roles are trusted when present, and a relation with no usable outer ring
//! treats every ring as outer.

use geo::{Area, Contains, Coord, LineString, MultiPolygon, Polygon};
use rustc_hash::FxHashMap;

/// One member way with its node ids and coordinates (same length).
pub(crate) struct Member<'a> {
    pub refs: &'a [i64],
    pub coords: Vec<Coord<f64>>,
    pub outer: bool,
}

/// Joins member ways into rings and rings into a multipolygon; `None` when no ring closes.
pub(crate) fn assemble_rings(members: &[Member<'_>]) -> Option<MultiPolygon<f64>> {
    let mut outers = Vec::new();
    let mut inners = Vec::new();
    for outer in [true, false] {
        let mine: Vec<&Member> = members.iter().filter(|m| m.outer == outer).collect();
        let rings = join(&mine);
        if outer {
            outers = rings;
        } else {
            inners = rings;
        }
    }
    if outers.is_empty() {
        outers = std::mem::take(&mut inners);
    }
    if outers.is_empty() {
        return None;
    }
    let mut polygons: Vec<(Polygon<f64>, f64)> = outers
        .into_iter()
        .map(|r| {
            let p = Polygon::new(r, vec![]);
            let a = p.unsigned_area();
            (p, a)
        })
        .collect();
    for inner in inners {
        let probe = inner.0[0];
        let host = polygons
            .iter_mut()
            .filter(|(p, _)| p.contains(&probe))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((p, _)) = host {
            p.interiors_push(inner);
        }
    }
    Some(MultiPolygon(polygons.into_iter().map(|(p, _)| p).collect()))
}

/// An open chain of ways: node ids and their coordinates.
type Chain = (Vec<i64>, Vec<Coord<f64>>);

/// Joins ways end to end into closed rings.
fn join(members: &[&Member<'_>]) -> Vec<LineString<f64>> {
    let mut rings = Vec::new();
    // Open chains as (node ids, coords); closed ways become rings at once.
    let mut open: Vec<Option<Chain>> = Vec::new();
    for m in members {
        if m.refs.len() < 2 || m.refs.len() != m.coords.len() {
            continue;
        }
        if m.refs.first() == m.refs.last() {
            if m.refs.len() >= 4 {
                rings.push(LineString(m.coords.clone()));
            }
        } else {
            open.push(Some((m.refs.to_vec(), m.coords.clone())));
        }
    }
    let mut by_end: FxHashMap<i64, Vec<usize>> = FxHashMap::default();
    for (i, c) in open.iter().enumerate() {
        if let Some((refs, _)) = c {
            by_end.entry(refs[0]).or_default().push(i);
            by_end.entry(refs[refs.len() - 1]).or_default().push(i);
        }
    }
    for start in 0..open.len() {
        let Some((mut refs, mut coords)) = open[start].take() else {
            continue;
        };
        loop {
            let first = refs[0];
            let last = refs[refs.len() - 1];
            if first == last {
                if refs.len() >= 4 {
                    rings.push(LineString(coords));
                }
                break;
            }
            let next = by_end
                .get(&last)
                .and_then(|c| c.iter().copied().find(|&j| open[j].is_some()));
            let Some(j) = next else {
                break; // cannot close: dropped
            };
            let Some((mut r2, mut c2)) = open[j].take() else {
                break;
            };
            if r2[0] != last {
                r2.reverse();
                c2.reverse();
            }
            refs.extend_from_slice(&r2[1..]);
            coords.extend_from_slice(&c2[1..]);
        }
    }
    rings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(x: f64, y: f64) -> Coord<f64> {
        Coord { x, y }
    }

    #[test]
    fn joins_reversed_pieces_and_places_the_hole() {
        let a = [1, 2, 3];
        let b = [1, 4, 3]; // runs the other way round
        let hole = [10, 11, 12, 10];
        let members = vec![
            Member {
                refs: &a,
                coords: vec![c(0.0, 0.0), c(4.0, 0.0), c(4.0, 4.0)],
                outer: true,
            },
            Member {
                refs: &b,
                coords: vec![c(0.0, 0.0), c(0.0, 4.0), c(4.0, 4.0)],
                outer: true,
            },
            Member {
                refs: &hole,
                coords: vec![c(1.0, 1.0), c(2.0, 1.0), c(1.0, 2.0), c(1.0, 1.0)],
                outer: false,
            },
        ];
        let mp = assemble_rings(&members).unwrap();
        assert_eq!(mp.0.len(), 1);
        assert_eq!(mp.0[0].interiors().len(), 1);
        assert!((mp.unsigned_area() - (16.0 - 0.5)).abs() < 1e-9);
    }

    #[test]
    fn an_open_ring_gives_nothing() {
        let a = [1, 2, 3];
        let members = vec![Member {
            refs: &a,
            coords: vec![c(0.0, 0.0), c(1.0, 0.0), c(1.0, 1.0)],
            outer: true,
        }];
        assert!(assemble_rings(&members).is_none());
    }
}

//! Many-to-many travel costs on a contraction hierarchy, by buckets (Knopp et al., 2007):
//! an upward backward search from every target leaves `(target, cost)` in a bucket at each
//! node it settles; an upward forward search from every source then scans the buckets of the
//! nodes it settles. Each search touches a few hundred nodes, so a 1,000 × 1,000 matrix costs
//! 2,000 small searches plus the bucket scans instead of a million point-to-point queries.
//! Both phases run on all cores (rayon).

use rayon::prelude::*;

use super::ch::ContractionHierarchy;
use super::dijkstra::Dijkstra;
use super::overlay::Arcs;
use super::query::{Cost, SearchSpace, Seed};

/// One bucket entry: target index and the target search's cost at the bucket's node.
#[derive(Clone, Copy, Debug)]
struct Entry {
    target: u32,
    ms: u32,
    cm: u32,
}

/// Costs from every source to every target, row-major (`sources.len()` rows), through the
/// hierarchy. Unreachable cells are [`Cost::UNREACHABLE`].
pub(crate) fn bucket_matrix(
    ch: &ContractionHierarchy,
    sources: &[&[Seed]],
    targets: &[&[Seed]],
) -> Vec<Cost> {
    let ranks = ch.rank.len();
    let spaces: Vec<Vec<(u32, Cost)>> = targets
        .par_iter()
        .map_init(
            || SearchSpace::new(ranks, false),
            |space, seeds| {
                space.start(ch, seeds);
                let mut settled = Vec::new();
                while let Some((r, cost, stalled)) = space.settle_next(ch) {
                    if !stalled {
                        settled.push((r, cost));
                    }
                }
                settled
            },
        )
        .collect();

    // Buckets in rank order (counting sort), so a source search reads each bucket as one
    // contiguous run.
    let mut first = vec![0u32; ranks + 1];
    for space in &spaces {
        for &(r, _) in space {
            first[r as usize + 1] += 1;
        }
    }
    for r in 0..ranks {
        first[r + 1] += first[r];
    }
    let mut next = first.clone();
    let mut entries = vec![
        Entry {
            target: 0,
            ms: 0,
            cm: 0
        };
        first[ranks] as usize
    ];
    for (t, space) in spaces.iter().enumerate() {
        for &(r, cost) in space {
            let slot = &mut next[r as usize];
            entries[*slot as usize] = Entry {
                target: t as u32,
                ms: cost.ms,
                cm: cost.cm,
            };
            *slot += 1;
        }
    }
    drop(spaces);

    let cols = targets.len();
    let mut out = vec![Cost::UNREACHABLE; sources.len() * cols];
    if cols == 0 {
        return out;
    }
    out.par_chunks_mut(cols)
        .zip(sources.par_iter())
        .for_each_init(
            || SearchSpace::new(ranks, true),
            |space, (row, seeds)| {
                space.start(ch, seeds);
                while let Some((r, cost, stalled)) = space.settle_next(ch) {
                    if stalled {
                        continue;
                    }
                    let bucket =
                        &entries[first[r as usize] as usize..first[r as usize + 1] as usize];
                    for e in bucket {
                        let total = cost.ms + e.ms;
                        let cell = &mut row[e.target as usize];
                        if total < cell.ms {
                            *cell = Cost {
                                ms: total,
                                cm: cost.cm + e.cm,
                            };
                        }
                    }
                }
            },
        );
    out
}

/// The same matrix by one plain Dijkstra per source (the baseline), also on all cores.
pub(crate) fn dijkstra_matrix(
    num_nodes: usize,
    arcs: &Arcs,
    sources: &[&[Seed]],
    targets: &[&[Seed]],
) -> Vec<Cost> {
    let rows: Vec<Vec<Cost>> = sources
        .par_iter()
        .map_init(
            || Dijkstra::new(num_nodes),
            |d, seeds| d.one_to_many(arcs, seeds, targets),
        )
        .collect();
    rows.into_iter().flatten().collect()
}

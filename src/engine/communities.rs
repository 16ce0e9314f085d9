//! Which community (社区) a point lies in, from the extract's administrative boundaries.
//!
//! Squads cover communities by name, so a request's community decides which squads may serve
//! it. Communities are the finest administrative level in Chinese data (level 10, sometimes 9);
//! a point in several boundaries of those levels takes the finest. Extracts without such
//! boundaries answer "unknown", and the dispatch service treats that as coverable by any squad.

use geo::{BoundingRect, Contains, MultiPolygon, Point};
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};

use crate::osm::RawMap;

/// Lowest admin level counted as a community.
const COMMUNITY_LEVEL_MIN: u8 = 9;

struct Community {
    name: String,
    level: u8,
    polygon: MultiPolygon<f64>,
}

/// Point-in-polygon over the extract's community boundaries.
pub struct CommunityIndex {
    communities: Vec<Community>,
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
}

impl CommunityIndex {
    pub fn build(map: &RawMap) -> CommunityIndex {
        let communities: Vec<Community> = map
            .boundaries
            .iter()
            .filter(|b| b.admin_level >= COMMUNITY_LEVEL_MIN && !b.polygon.0.is_empty())
            .filter_map(|b| {
                let name = b.names.name.clone()?;
                Some(Community {
                    name,
                    level: b.admin_level,
                    polygon: b.polygon.clone(),
                })
            })
            .collect();
        let entries = communities
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let r = c.polygon.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i,
                ))
            })
            .collect();
        CommunityIndex {
            communities,
            tree: RTree::bulk_load(entries),
        }
    }

    /// The community holding the point, if the extract knows one.
    pub fn community_at(&self, point: Point<f64>) -> Option<&str> {
        self.tree
            .locate_all_at_point(&[point.x(), point.y()])
            .map(|e| &self.communities[e.data])
            .filter(|c| c.polygon.contains(&point))
            .max_by_key(|c| c.level)
            .map(|c| c.name.as_str())
    }

    /// Names of every community, sorted.
    pub fn names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.communities.iter().map(|c| c.name.as_str()).collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}

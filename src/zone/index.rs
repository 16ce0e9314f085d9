//! Point-in-zone lookups and the delivery and passage rules.

use chrono::{DateTime, Utc};
use geo::{LineString, Point};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use serde::{Deserialize, Serialize};

use super::{Zone, ZoneId, ZoneKind};

type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// A set of zones with an R-tree over their bounding boxes; every answer is then confirmed
/// with the exact polygon.
#[derive(Clone, Debug, Default)]
pub struct ZoneIndex {
    zones: Vec<Zone>,
    tree: RTree<Entry>,
}

/// Where a request at some point is served.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeliveryPoint {
    /// The point to route to (WGS84 degrees).
    pub point: Point<f64>,
    /// Set when the request lies in a high-risk zone and is served at its checkpoint.
    pub via_checkpoint_of: Option<ZoneId>,
}

impl ZoneIndex {
    /// Indexes the zones. Zones are taken as they are; build them with [`Zone::try_new`].
    pub fn new(zones: Vec<Zone>) -> Self {
        let entries = zones
            .iter()
            .enumerate()
            .filter_map(|(i, zone)| {
                let rect = zone.bounding_rect()?;
                let (min, max) = (rect.min(), rect.max());
                Some(GeomWithData::new(
                    Rectangle::from_corners([min.x, min.y], [max.x, max.y]),
                    i,
                ))
            })
            .collect();
        ZoneIndex {
            zones,
            tree: RTree::bulk_load(entries),
        }
    }

    /// All zones, active or not.
    pub fn zones(&self) -> &[Zone] {
        &self.zones
    }

    /// The zone with this id.
    pub fn get(&self, id: ZoneId) -> Option<&Zone> {
        self.zones.iter().find(|z| z.id == id)
    }

    /// Every zone active at `now` whose interior holds the point.
    pub fn zones_at(&self, point: Point<f64>, now: DateTime<Utc>) -> impl Iterator<Item = &Zone> {
        self.tree
            .locate_all_at_point(&[point.x(), point.y()])
            .map(|entry| &self.zones[entry.data])
            .filter(move |zone| zone.is_active(now) && zone.contains(point))
    }

    /// The strictest zone active at `now` that holds the point (high-risk before controlled
    /// before precaution; among equals, the first given).
    pub fn zone_at(&self, point: Point<f64>, now: DateTime<Utc>) -> Option<&Zone> {
        let mut best: Option<&Zone> = None;
        for zone in self.zones_at(point, now) {
            if best.is_none_or(|b| zone.kind > b.kind) {
                best = Some(zone);
            }
        }
        best
    }

    /// Where a request at `point` is served at `now`: the checkpoint of the high-risk zone it
    /// lies in, otherwise the point itself.
    pub fn delivery_point(&self, point: Point<f64>, now: DateTime<Utc>) -> DeliveryPoint {
        match self.zone_at(point, now) {
            Some(zone) if zone.kind == ZoneKind::HighRisk => match zone.checkpoint {
                Some(checkpoint) => DeliveryPoint {
                    point: checkpoint,
                    via_checkpoint_of: Some(zone.id),
                },
                // Zone::validate refuses a high-risk zone without checkpoint; one read back
                // unchecked is served at the door rather than dropped.
                None => DeliveryPoint {
                    point,
                    via_checkpoint_of: None,
                },
            },
            _ => DeliveryPoint {
                point,
                via_checkpoint_of: None,
            },
        }
    }

    /// The zone that closes a road with this line at `now`: an active high-risk zone whose
    /// interior the line enters. Such a road is used by no one on the way elsewhere.
    pub fn blocking_zone(&self, line: &LineString<f64>, now: DateTime<Utc>) -> Option<ZoneId> {
        let (mut min, mut max) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
        for c in &line.0 {
            min = [min[0].min(c.x), min[1].min(c.y)];
            max = [max[0].max(c.x), max[1].max(c.y)];
        }
        if line.0.is_empty() {
            return None;
        }
        let envelope = AABB::from_corners(min, max);
        self.tree
            .locate_in_envelope_intersecting(&envelope)
            .map(|entry| &self.zones[entry.data])
            .find(|zone| {
                zone.kind == ZoneKind::HighRisk
                    && zone.is_active(now)
                    && zone.crosses_interior(line)
            })
            .map(|zone| zone.id)
    }

    /// The next instant after `now` at which some zone starts or stops applying: when the
    /// road network must apply the zones again (`RoadNetwork::rezone`).
    pub fn next_change_after(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.zones
            .iter()
            .flat_map(|z| [z.active.from, z.active.until])
            .flatten()
            .filter(|t| *t > now)
            .min()
    }

    /// True when some zone active at `now` closes roads (a high-risk zone).
    pub fn has_blocking_zones(&self, now: DateTime<Utc>) -> bool {
        self.zones
            .iter()
            .any(|z| z.kind == ZoneKind::HighRisk && z.is_active(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zone::ActivePeriod;
    use chrono::TimeZone;
    use geo::{MultiPolygon, polygon};
    use uuid::Uuid;

    fn square(id: u128, kind: ZoneKind, x0: f64, y0: f64, size: f64) -> Zone {
        let polygon = MultiPolygon(vec![polygon![
            (x: x0, y: y0),
            (x: x0 + size, y: y0),
            (x: x0 + size, y: y0 + size),
            (x: x0, y: y0 + size),
            (x: x0, y: y0),
        ]]);
        let checkpoint = (kind == ZoneKind::HighRisk).then(|| Point::new(x0, y0 - 0.0001));
        Zone::try_new(
            ZoneId(Uuid::from_u128(id)),
            "zone",
            kind,
            polygon,
            checkpoint,
            ActivePeriod::ALWAYS,
        )
        .unwrap()
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2022, 11, 29, 12, 0, 0).unwrap()
    }

    #[test]
    fn strictest_zone_wins_and_high_risk_is_served_at_checkpoint() {
        let index = ZoneIndex::new(vec![
            square(1, ZoneKind::Precaution, 0.0, 0.0, 10.0),
            square(2, ZoneKind::HighRisk, 2.0, 2.0, 1.0),
            square(3, ZoneKind::Controlled, 1.0, 1.0, 5.0),
        ]);
        let inner = Point::new(2.5, 2.5);
        assert_eq!(
            index.zone_at(inner, now()).unwrap().kind,
            ZoneKind::HighRisk
        );
        assert_eq!(index.zones_at(inner, now()).count(), 3);
        let d = index.delivery_point(inner, now());
        assert_eq!(d.via_checkpoint_of, Some(ZoneId(Uuid::from_u128(2))));
        assert_eq!(d.point, Point::new(2.0, 2.0 - 0.0001));

        let controlled = Point::new(5.0, 5.0);
        assert_eq!(
            index.zone_at(controlled, now()).unwrap().kind,
            ZoneKind::Controlled
        );
        assert_eq!(index.delivery_point(controlled, now()).point, controlled);
        assert!(index.zone_at(Point::new(20.0, 20.0), now()).is_none());
    }

    #[test]
    fn inactive_zones_do_not_apply() {
        let mut zone = square(2, ZoneKind::HighRisk, 2.0, 2.0, 1.0);
        zone.active = ActivePeriod::try_new(Some(now() + chrono::Duration::days(1)), None).unwrap();
        let index = ZoneIndex::new(vec![zone]);
        let inner = Point::new(2.5, 2.5);
        assert!(index.zone_at(inner, now()).is_none());
        let line = LineString::from(vec![(1.0, 2.5), (4.0, 2.5)]);
        assert_eq!(index.blocking_zone(&line, now()), None);
        assert!(
            index
                .blocking_zone(&line, now() + chrono::Duration::days(2))
                .is_some()
        );
        assert!(!index.has_blocking_zones(now()));
        assert_eq!(
            index.next_change_after(now()),
            Some(now() + chrono::Duration::days(1))
        );
        assert_eq!(
            index.next_change_after(now() + chrono::Duration::days(1)),
            None
        );
    }

    #[test]
    fn only_high_risk_zones_block_roads() {
        let index = ZoneIndex::new(vec![
            square(1, ZoneKind::Controlled, 0.0, 0.0, 1.0),
            square(2, ZoneKind::HighRisk, 2.0, 0.0, 1.0),
        ]);
        let through_controlled = LineString::from(vec![(-1.0, 0.5), (1.5, 0.5)]);
        let through_high_risk = LineString::from(vec![(1.5, 0.5), (3.5, 0.5)]);
        let along_fence = LineString::from(vec![(2.0, -1.0), (2.0, 2.0)]);
        assert_eq!(index.blocking_zone(&through_controlled, now()), None);
        assert_eq!(
            index.blocking_zone(&through_high_risk, now()),
            Some(ZoneId(Uuid::from_u128(2)))
        );
        assert_eq!(index.blocking_zone(&along_fence, now()), None);
    }
}

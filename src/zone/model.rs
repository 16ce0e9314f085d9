//! The zone as plain data, with a validating constructor.

use chrono::{DateTime, Utc};
use geo::{BoundingRect, ClosestPoint, Contains, Distance, Haversine, MultiPolygon, Point, Rect};
use geo::{Closest, Relate, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ZoneError;

/// The id of a zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ZoneId(pub Uuid);

/// How strictly a zone is closed. The order is by strictness: `HighRisk` is the strictest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZoneKind {
    /// 防范区: no restriction on movement; listed so people know.
    Precaution,
    /// 管控区: residents stay inside; roads stay open and staff deliver to the door.
    Controlled,
    /// 高风险区: sealed. No through traffic; goods are handed over at the checkpoint.
    HighRisk,
}

impl ZoneKind {
    /// The Chinese name used on route sheets and the map.
    pub fn name_zh(self) -> &'static str {
        match self {
            ZoneKind::HighRisk => "高风险区",
            ZoneKind::Controlled => "管控区",
            ZoneKind::Precaution => "防范区",
        }
    }

    /// The English name.
    pub fn name_en(self) -> &'static str {
        match self {
            ZoneKind::HighRisk => "high-risk zone",
            ZoneKind::Controlled => "controlled zone",
            ZoneKind::Precaution => "precaution zone",
        }
    }
}

/// When a zone applies: from `from` (inclusive) until `until` (exclusive); an open end is
/// unbounded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivePeriod {
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

impl ActivePeriod {
    /// Always active.
    pub const ALWAYS: ActivePeriod = ActivePeriod {
        from: None,
        until: None,
    };

    /// Checks that the period does not end before it starts.
    pub fn try_new(
        from: Option<DateTime<Utc>>,
        until: Option<DateTime<Utc>>,
    ) -> Result<Self, ZoneError> {
        if let (Some(f), Some(u)) = (from, until)
            && u <= f
        {
            return Err(ZoneError::BadPeriod {
                from: f.to_rfc3339(),
                until: u.to_rfc3339(),
            });
        }
        Ok(ActivePeriod { from, until })
    }

    /// True when `now` lies in the period.
    pub fn contains(&self, now: DateTime<Utc>) -> bool {
        self.from.is_none_or(|f| f <= now) && self.until.is_none_or(|u| now < u)
    }
}

/// A high-risk, controlled or precaution area.
///
/// Coordinates are WGS84 degrees, `x` = longitude, `y` = latitude. Build one with
/// [`Zone::try_new`], which checks what the rules depend on; the fields are public so the
/// database and the web layer can read them, and a zone read back from storage can be checked
/// again with [`Zone::validate`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Zone {
    pub id: ZoneId,
    pub name: String,
    pub kind: ZoneKind,
    pub polygon: MultiPolygon<f64>,
    /// The checkpoint (卡口) where goods for the zone are handed over. Required for high-risk
    /// zones; it must lie on the fence line or outside.
    pub checkpoint: Option<Point<f64>>,
    pub active: ActivePeriod,
}

impl Zone {
    /// Builds a zone and checks it: a non-empty name, a valid polygon, a checkpoint for a
    /// high-risk zone that is not inside the zone.
    pub fn try_new(
        id: ZoneId,
        name: &str,
        kind: ZoneKind,
        polygon: MultiPolygon<f64>,
        checkpoint: Option<Point<f64>>,
        active: ActivePeriod,
    ) -> Result<Self, ZoneError> {
        let zone = Zone {
            id,
            name: name.trim().to_string(),
            kind,
            polygon,
            checkpoint,
            active,
        };
        zone.validate()?;
        Ok(zone)
    }

    /// Checks the invariants [`Zone::try_new`] establishes.
    pub fn validate(&self) -> Result<(), ZoneError> {
        if self.name.trim().is_empty() {
            return Err(ZoneError::EmptyName);
        }
        if self.polygon.0.is_empty() {
            return Err(ZoneError::InvalidPolygon("it has no area".into()));
        }
        if let Err(e) = self.polygon.check_validation() {
            return Err(ZoneError::InvalidPolygon(e.to_string()));
        }
        ActivePeriod::try_new(self.active.from, self.active.until)?;
        match self.checkpoint {
            None if self.kind == ZoneKind::HighRisk => Err(ZoneError::MissingCheckpoint),
            None => Ok(()),
            Some(p) => {
                let (lon, lat) = (p.x(), p.y());
                if !(lon.is_finite()
                    && lat.is_finite()
                    && (-180.0..=180.0).contains(&lon)
                    && (-90.0..=90.0).contains(&lat))
                {
                    return Err(ZoneError::BadCheckpoint { lon, lat });
                }
                if self.polygon.contains(&p) {
                    return Err(ZoneError::CheckpointInside {
                        lon,
                        lat,
                        depth_m: self.distance_to_boundary_m(p),
                    });
                }
                Ok(())
            }
        }
    }

    /// True when the point lies in the zone's interior (a point on the fence line is outside).
    pub fn contains(&self, point: Point<f64>) -> bool {
        self.polygon.contains(&point)
    }

    /// True when the zone applies at `now`.
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.active.contains(now)
    }

    /// True when some part of the line runs through the zone's interior; a line that only
    /// touches the fence line does not.
    pub fn crosses_interior(&self, line: &geo::LineString<f64>) -> bool {
        // DE-9IM: the line's interior meets the polygon's interior. A line that ends inside
        // also qualifies (the stretch before its end point is interior), one along the fence not.
        line.relate(&self.polygon)
            .matches("T********")
            .unwrap_or(false)
    }

    /// The bounding box of the polygon (`None` only for an empty polygon, which
    /// [`Zone::validate`] refuses).
    pub fn bounding_rect(&self) -> Option<Rect<f64>> {
        self.polygon.bounding_rect()
    }

    /// Distance in metres from a point to the nearest fence line of the zone.
    pub fn distance_to_boundary_m(&self, point: Point<f64>) -> f64 {
        let mut best = f64::INFINITY;
        for polygon in &self.polygon.0 {
            for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                let nearest = match ring.closest_point(&point) {
                    Closest::Intersection(p) | Closest::SinglePoint(p) => p,
                    Closest::Indeterminate => continue,
                };
                best = best.min(Haversine.distance(point, nearest));
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use geo::{LineString, polygon};

    fn square() -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![
            (x: 126.650, y: 45.740),
            (x: 126.660, y: 45.740),
            (x: 126.660, y: 45.750),
            (x: 126.650, y: 45.750),
            (x: 126.650, y: 45.740),
        ]])
    }

    fn zone(kind: ZoneKind, checkpoint: Option<Point<f64>>) -> Result<Zone, ZoneError> {
        Zone::try_new(
            ZoneId(Uuid::nil()),
            "巴山街32号",
            kind,
            square(),
            checkpoint,
            ActivePeriod::ALWAYS,
        )
    }

    #[test]
    fn high_risk_zone_needs_a_checkpoint_outside() {
        assert_eq!(
            zone(ZoneKind::HighRisk, None),
            Err(ZoneError::MissingCheckpoint)
        );
        let inside = zone(ZoneKind::HighRisk, Some(Point::new(126.655, 45.745)));
        match inside {
            Err(ZoneError::CheckpointInside { depth_m, .. }) => {
                // half of 0.01° of latitude is ~556 m, half of 0.01° of longitude at 45.7° ~389 m
                assert!((380.0..400.0).contains(&depth_m), "{depth_m}");
            }
            other => panic!("expected CheckpointInside, got {other:?}"),
        }
        assert!(zone(ZoneKind::HighRisk, Some(Point::new(126.655, 45.740))).is_ok());
        assert!(zone(ZoneKind::Controlled, None).is_ok());
    }

    #[test]
    fn empty_name_and_inverted_period_are_refused() {
        let mut z = zone(ZoneKind::Controlled, None).unwrap();
        z.name = "  ".into();
        assert_eq!(z.validate(), Err(ZoneError::EmptyName));
        let t = Utc.with_ymd_and_hms(2022, 11, 29, 0, 0, 0).unwrap();
        let err = ActivePeriod::try_new(Some(t), Some(t)).unwrap_err();
        assert!(matches!(err, ZoneError::BadPeriod { .. }));
    }

    #[test]
    fn active_period_is_half_open() {
        let from = Utc.with_ymd_and_hms(2022, 11, 29, 0, 0, 0).unwrap();
        let until = Utc.with_ymd_and_hms(2022, 12, 6, 0, 0, 0).unwrap();
        let p = ActivePeriod::try_new(Some(from), Some(until)).unwrap();
        assert!(p.contains(from));
        assert!(!p.contains(until));
        assert!(!p.contains(from - chrono::Duration::seconds(1)));
        assert!(ActivePeriod::ALWAYS.contains(until));
    }

    #[test]
    fn lines_through_touching_and_ending_inside() {
        let z = zone(ZoneKind::Controlled, None).unwrap();
        let through = LineString::from(vec![(126.645, 45.745), (126.665, 45.745)]);
        let along_fence = LineString::from(vec![(126.650, 45.740), (126.660, 45.740)]);
        let outside = LineString::from(vec![(126.640, 45.730), (126.645, 45.735)]);
        let ends_inside = LineString::from(vec![(126.645, 45.745), (126.652, 45.745)]);
        let touches_corner = LineString::from(vec![(126.640, 45.740), (126.650, 45.740)]);
        assert!(z.crosses_interior(&through));
        assert!(z.crosses_interior(&ends_inside));
        assert!(!z.crosses_interior(&along_fence));
        assert!(!z.crosses_interior(&outside));
        assert!(!z.crosses_interior(&touches_corner));
    }

    #[test]
    fn invalid_polygon_is_explained() {
        let bowtie = MultiPolygon(vec![polygon![
            (x: 0.0, y: 0.0),
            (x: 1.0, y: 1.0),
            (x: 1.0, y: 0.0),
            (x: 0.0, y: 1.0),
            (x: 0.0, y: 0.0),
        ]]);
        let err = Zone::try_new(
            ZoneId(Uuid::nil()),
            "x",
            ZoneKind::Precaution,
            bowtie,
            None,
            ActivePeriod::ALWAYS,
        )
        .unwrap_err();
        assert!(err.to_string().contains("self-intersection"), "{err}");
    }
}

//! Travel modes, road classes, and which roads each mode may use at what speed.
//!
//! | mode | may use | one-way streets | private / destination roads |
//! | --- | --- | --- | --- |
//! | [`TravelMode::Foot`] | footway, path, steps, pedestrian, living_street, residential, service, track, unclassified, tertiary–primary and their links, ground-level trunk, cycleway; not motorways, not elevated or sunken expressways | both ways | yes, like any other road (compound roads are where deliveries go) |
//! | [`TravelMode::Tricycle`] | the same without steps and footways/pedestrian areas (unless tagged `bicycle=yes`) | respected | only to reach a stop on them |
//! | [`TravelMode::Van`] | motorway to service and track; not footway, path, steps, pedestrian, cycleway | respected | only to reach a stop on them |
//!
//! Explicit access tags win over the class default, in the usual OSM order of precedence
//! (foot: `foot` > `access`; tricycle: `bicycle` > `vehicle` > `access`; van: `motorcar` >
//! `motor_vehicle` > `vehicle` > `access`): `no` closes a road; `private`, `destination`,
//! `delivery`, `customers`, `permit`, `residents` make it a private road; `yes`, `designated`,
//! `permissive` open a road the class would not allow, at the mode's
//! `explicit_access_speed_kmh`. Barriers (`barrier=*` nodes) stop vehicles unless they are
//! gates, lift gates or similar, or their access tags let the mode through; on foot only
//! `access=no`/`foot=no` stops.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::osm::Tags;

use super::RoadError;

/// How a squad moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TravelMode {
    /// On foot, carrying the goods.
    Foot,
    /// Electric tricycle or e-bike (non-motorised lanes, one-way streets respected).
    Tricycle,
    /// A small van.
    Van,
}

impl TravelMode {
    /// Every mode, in a fixed order.
    pub const ALL: [TravelMode; 3] = [TravelMode::Foot, TravelMode::Tricycle, TravelMode::Van];

    /// The name used in URLs and configuration (`foot`, `tricycle`, `van`).
    pub fn as_str(self) -> &'static str {
        match self {
            TravelMode::Foot => "foot",
            TravelMode::Tricycle => "tricycle",
            TravelMode::Van => "van",
        }
    }

    /// The verb of a direction in Chinese: 沿巴山街**步行**120米.
    pub fn verb_zh(self) -> &'static str {
        match self {
            TravelMode::Foot => "步行",
            TravelMode::Tricycle => "骑行",
            TravelMode::Van => "行驶",
        }
    }

    /// The verb of a direction in English: **Walk** 120 m along Bashan Street.
    pub fn verb_en(self) -> &'static str {
        match self {
            TravelMode::Foot => "Walk",
            TravelMode::Tricycle => "Ride",
            TravelMode::Van => "Drive",
        }
    }

    /// True for the modes that use private roads only at the start or end of a trip.
    pub fn is_vehicle(self) -> bool {
        !matches!(self, TravelMode::Foot)
    }
}

impl fmt::Display for TravelMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TravelMode {
    type Err = RoadError;

    /// Accepts `foot`/`walk`/`walking`, `tricycle`/`ebike`/`e-bike`/`bike`/`bicycle`,
    /// `van`/`car`/`driving`, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "foot" | "walk" | "walking" | "pedestrian" => Ok(TravelMode::Foot),
            "tricycle" | "ebike" | "e-bike" | "e_bike" | "bike" | "bicycle" | "cycling" => {
                Ok(TravelMode::Tricycle)
            }
            "van" | "car" | "driving" | "vehicle" => Ok(TravelMode::Van),
            _ => Err(RoadError::UnknownMode(s.to_string())),
        }
    }
}

/// The class of a road, from its `highway` tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoadClass {
    Motorway,
    MotorwayLink,
    Trunk,
    TrunkLink,
    Primary,
    PrimaryLink,
    Secondary,
    SecondaryLink,
    Tertiary,
    TertiaryLink,
    Unclassified,
    Residential,
    LivingStreet,
    Service,
    Track,
    Road,
    Pedestrian,
    Footway,
    Path,
    Steps,
    Cycleway,
}

impl RoadClass {
    /// The class of a `highway=*` value; `None` for values no one travels on
    /// (`construction`, `proposed`, `raceway`, `bus_guideway`, `abandoned`, ...).
    pub fn from_highway(highway: &str) -> Option<RoadClass> {
        use RoadClass::*;
        Some(match highway {
            "motorway" => Motorway,
            "motorway_link" => MotorwayLink,
            "trunk" => Trunk,
            "trunk_link" => TrunkLink,
            "primary" => Primary,
            "primary_link" => PrimaryLink,
            "secondary" => Secondary,
            "secondary_link" => SecondaryLink,
            "tertiary" => Tertiary,
            "tertiary_link" => TertiaryLink,
            "unclassified" => Unclassified,
            "residential" => Residential,
            "living_street" => LivingStreet,
            "service" | "services" | "rest_area" => Service,
            "track" => Track,
            "road" => Road,
            "pedestrian" | "platform" => Pedestrian,
            "footway" | "corridor" => Footway,
            "path" | "bridleway" => Path,
            "steps" => Steps,
            "cycleway" => Cycleway,
            _ => return None,
        })
    }

    /// Trunk roads include urban expressways; the elevated and sunken parts carry no walkers
    /// or tricycles.
    fn is_trunk(self) -> bool {
        matches!(self, RoadClass::Trunk | RoadClass::TrunkLink)
    }
}

/// How a mode may use roads marked private (`access=private`, `destination`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrivateRoads {
    /// Like any other road (walkers inside gated compounds).
    Allowed,
    /// Only at the start or end of a trip, to reach a stop on them; never passed through.
    DestinationOnly,
    /// Never (what OSRM's foot profile does; here only for comparison).
    Excluded,
}

/// What a mode may use and how fast, after configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModeProfile {
    pub mode: TravelMode,
    /// Speed per road class in km/h; a class that is absent is not usable.
    pub speeds_kmh: BTreeMap<RoadClass, f64>,
    /// Speed on a road the class would not allow but an access tag opens (`bicycle=yes` on a
    /// footway, ...).
    pub explicit_access_speed_kmh: f64,
    pub respect_oneway: bool,
    pub private_roads: PrivateRoads,
    /// Cap speeds at the road's `maxspeed`.
    pub use_maxspeed: bool,
}

impl ModeProfile {
    /// The built-in profile of a mode (speeds in km/h, chosen for lockdown streets: empty,
    /// but slowed by checkpoints, snow and loading).
    pub fn builtin(mode: TravelMode) -> ModeProfile {
        use RoadClass::*;
        let speeds: &[(RoadClass, f64)] = match mode {
            TravelMode::Foot => &[
                (Trunk, 4.5),
                (TrunkLink, 4.5),
                (Primary, 4.5),
                (PrimaryLink, 4.5),
                (Secondary, 4.5),
                (SecondaryLink, 4.5),
                (Tertiary, 4.5),
                (TertiaryLink, 4.5),
                (Unclassified, 4.5),
                (Residential, 4.5),
                (LivingStreet, 4.5),
                (Service, 4.5),
                (Track, 4.0),
                (Road, 4.5),
                (Pedestrian, 4.5),
                (Footway, 4.5),
                (Path, 4.0),
                (Steps, 2.0),
                (Cycleway, 4.5),
            ],
            TravelMode::Tricycle => &[
                (Trunk, 15.0),
                (TrunkLink, 12.0),
                (Primary, 15.0),
                (PrimaryLink, 12.0),
                (Secondary, 15.0),
                (SecondaryLink, 12.0),
                (Tertiary, 14.0),
                (TertiaryLink, 12.0),
                (Unclassified, 12.0),
                (Residential, 12.0),
                (LivingStreet, 8.0),
                (Service, 10.0),
                (Track, 8.0),
                (Road, 12.0),
                (Path, 8.0),
                (Cycleway, 15.0),
            ],
            TravelMode::Van => &[
                (Motorway, 60.0),
                (MotorwayLink, 40.0),
                (Trunk, 45.0),
                (TrunkLink, 35.0),
                (Primary, 35.0),
                (PrimaryLink, 30.0),
                (Secondary, 30.0),
                (SecondaryLink, 25.0),
                (Tertiary, 25.0),
                (TertiaryLink, 20.0),
                (Unclassified, 20.0),
                (Residential, 15.0),
                (LivingStreet, 8.0),
                (Service, 10.0),
                (Track, 8.0),
                (Road, 20.0),
            ],
        };
        ModeProfile {
            mode,
            speeds_kmh: speeds.iter().copied().collect(),
            explicit_access_speed_kmh: match mode {
                TravelMode::Foot => 4.5,
                TravelMode::Tricycle => 8.0,
                TravelMode::Van => 10.0,
            },
            respect_oneway: mode.is_vehicle(),
            private_roads: if mode.is_vehicle() {
                PrivateRoads::DestinationOnly
            } else {
                PrivateRoads::Allowed
            },
            use_maxspeed: mode == TravelMode::Van,
        }
    }

    /// How this mode may use a road with this `highway` value and these tags; `None` when it
    /// may not use it at all.
    pub fn road_use(&self, highway: &str, tags: &Tags, name: Option<&str>) -> Option<RoadUse> {
        let class = RoadClass::from_highway(highway)?;
        if tags.is("area", "yes") && !matches!(class, RoadClass::Pedestrian | RoadClass::Footway) {
            return None;
        }
        let explicit = self.explicit_access(tags);
        let mut speed_kmh = match (explicit, self.speeds_kmh.get(&class)) {
            (Some(Access::No), _) => return None,
            (_, Some(&s)) => s,
            (Some(Access::Yes | Access::Private), None) => self.explicit_access_speed_kmh,
            (None, None) => return None,
        };
        if self.mode != TravelMode::Van
            && class.is_trunk()
            && explicit != Some(Access::Yes)
            && is_expressway(tags, name)
        {
            return None;
        }
        if self.use_maxspeed
            && let Some(max) = tags.get("maxspeed").and_then(parse_maxspeed_kmh)
        {
            speed_kmh = speed_kmh.min(max);
        }
        let private = explicit == Some(Access::Private);
        if private && self.private_roads == PrivateRoads::Excluded {
            return None;
        }
        let (forward, backward) = if self.respect_oneway {
            oneway(tags)
        } else {
            (true, true)
        };
        Some(RoadUse {
            class,
            speed_kmh,
            forward,
            backward,
            private: private && self.private_roads == PrivateRoads::DestinationOnly,
            tagged_private: private,
        })
    }

    /// Whether a barrier node stops this mode.
    pub fn is_stopped_by_barrier(&self, tags: &Tags) -> bool {
        match self.explicit_access(tags) {
            Some(Access::No) => return true,
            Some(Access::Yes | Access::Private) => return false,
            None => {}
        }
        if self.mode == TravelMode::Foot {
            return false;
        }
        let barrier = tags.get("barrier").unwrap_or("");
        let passable = [
            "gate",
            "lift_gate",
            "swing_gate",
            "sliding_gate",
            "toll_booth",
            "border_control",
            "entrance",
            "sally_port",
            "cattle_grid",
            "height_restrictor",
            "kerb",
            "sump_buster",
            "no",
            "",
        ];
        let tricycle_passable = ["bollard", "cycle_barrier", "motorcycle_barrier"];
        !(passable.contains(&barrier)
            || (self.mode == TravelMode::Tricycle && tricycle_passable.contains(&barrier)))
    }

    fn explicit_access(&self, tags: &Tags) -> Option<Access> {
        let keys: &[&str] = match self.mode {
            TravelMode::Foot => &["foot", "access"],
            TravelMode::Tricycle => &["bicycle", "vehicle", "access"],
            TravelMode::Van => &["motorcar", "motor_vehicle", "vehicle", "access"],
        };
        keys.iter()
            .filter_map(|k| tags.get(k))
            .find_map(Access::from_value)
    }
}

/// How one mode may use one road.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RoadUse {
    pub class: RoadClass,
    pub speed_kmh: f64,
    /// May travel in the direction of the way's nodes.
    pub forward: bool,
    /// May travel against it.
    pub backward: bool,
    /// Private to this mode: usable only at the start or end of a trip.
    pub private: bool,
    /// Tagged private (for walkers this is informational).
    pub tagged_private: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Access {
    No,
    Private,
    Yes,
}

impl Access {
    fn from_value(value: &str) -> Option<Access> {
        match value {
            "no" | "use_sidepath" | "discouraged" => Some(Access::No),
            "private" | "destination" | "delivery" | "customers" | "permit" | "residents"
            | "agricultural" | "forestry" => Some(Access::Private),
            "yes" | "designated" | "permissive" | "official" | "dismount" => Some(Access::Yes),
            _ => None,
        }
    }
}

/// An elevated or sunken expressway: a bridge or tunnel of a trunk road, or one named an
/// expressway (快速路) or elevated road (高架).
fn is_expressway(tags: &Tags, name: Option<&str>) -> bool {
    let layered = tags.get("layer").is_some_and(|l| l != "0");
    let structure = tags.get("bridge").is_some_and(|b| b != "no")
        || tags.get("tunnel").is_some_and(|t| t != "no");
    layered && structure || name.is_some_and(|n| n.contains("快速路") || n.contains("高架"))
}

/// (forward allowed, backward allowed) from `oneway` and `junction`.
fn oneway(tags: &Tags) -> (bool, bool) {
    match tags.get("oneway") {
        Some("yes" | "true" | "1") => (true, false),
        Some("-1" | "reverse") => (false, true),
        Some("no" | "false" | "0") => (true, true),
        _ => {
            if matches!(tags.get("junction"), Some("roundabout" | "circular")) {
                (true, false)
            } else {
                (true, true)
            }
        }
    }
}

/// `maxspeed` in km/h: `50`, `50 km/h`, `30 mph`; `None` for `signals`, `none`, ...
fn parse_maxspeed_kmh(value: &str) -> Option<f64> {
    let v = value.trim();
    let (number, factor) = if let Some(n) = v.strip_suffix("mph") {
        (n.trim(), 1.609_344)
    } else {
        (
            v.trim_end_matches("km/h").trim_end_matches("kmh").trim(),
            1.0,
        )
    };
    let kmh = number.parse::<f64>().ok()? * factor;
    (kmh > 0.0 && kmh.is_finite()).then_some(kmh)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        Tags::new(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn walkers_enter_private_compound_roads_vehicles_only_as_destination() {
        let private = tags(&[("access", "private"), ("service", "driveway")]);
        let foot = ModeProfile::builtin(TravelMode::Foot)
            .road_use("service", &private, None)
            .unwrap();
        assert!(!foot.private && foot.tagged_private);
        let van = ModeProfile::builtin(TravelMode::Van)
            .road_use("service", &private, None)
            .unwrap();
        assert!(van.private);
        let closed = tags(&[("access", "no")]);
        for mode in TravelMode::ALL {
            assert!(
                ModeProfile::builtin(mode)
                    .road_use("service", &closed, None)
                    .is_none()
            );
        }
        let mut osrm_like = ModeProfile::builtin(TravelMode::Foot);
        osrm_like.private_roads = PrivateRoads::Excluded;
        assert!(osrm_like.road_use("service", &private, None).is_none());
        let foot_yes = tags(&[("access", "no"), ("foot", "yes")]);
        assert!(
            ModeProfile::builtin(TravelMode::Foot)
                .road_use("service", &foot_yes, None)
                .is_some()
        );
    }

    #[test]
    fn classes_per_mode() {
        let none = Tags::default();
        let foot = ModeProfile::builtin(TravelMode::Foot);
        let tri = ModeProfile::builtin(TravelMode::Tricycle);
        let van = ModeProfile::builtin(TravelMode::Van);
        assert!(foot.road_use("steps", &none, None).is_some());
        assert!(tri.road_use("steps", &none, None).is_none());
        assert!(van.road_use("footway", &none, None).is_none());
        assert!(foot.road_use("motorway", &none, None).is_none());
        assert!(van.road_use("construction", &none, None).is_none());
        let bike_ok = tags(&[("bicycle", "yes")]);
        assert_eq!(
            tri.road_use("footway", &bike_ok, None).unwrap().speed_kmh,
            8.0
        );
        let elevated = tags(&[("bridge", "yes"), ("layer", "1")]);
        assert!(foot.road_use("trunk", &elevated, None).is_none());
        assert!(van.road_use("trunk", &elevated, None).is_some());
        assert!(foot.road_use("trunk", &none, Some("文昌街")).is_some());
        assert!(
            foot.road_use("trunk", &none, Some("东三环快速路"))
                .is_none()
        );
    }

    #[test]
    fn oneway_only_for_vehicles() {
        let ow = tags(&[("oneway", "yes")]);
        let foot = ModeProfile::builtin(TravelMode::Foot)
            .road_use("residential", &ow, None)
            .unwrap();
        assert!(foot.forward && foot.backward);
        let van = ModeProfile::builtin(TravelMode::Van)
            .road_use("residential", &ow, None)
            .unwrap();
        assert!(van.forward && !van.backward);
        let rev = tags(&[("oneway", "-1")]);
        let tri = ModeProfile::builtin(TravelMode::Tricycle)
            .road_use("residential", &rev, None)
            .unwrap();
        assert!(!tri.forward && tri.backward);
        let round = tags(&[("junction", "roundabout")]);
        let van = ModeProfile::builtin(TravelMode::Van)
            .road_use("primary", &round, None)
            .unwrap();
        assert!(van.forward && !van.backward);
    }

    #[test]
    fn maxspeed_caps_van_speed() {
        let slow = tags(&[("maxspeed", "20")]);
        let van = ModeProfile::builtin(TravelMode::Van)
            .road_use("primary", &slow, None)
            .unwrap();
        assert_eq!(van.speed_kmh, 20.0);
        assert_eq!(parse_maxspeed_kmh("30 mph").map(|v| v.round()), Some(48.0));
        assert_eq!(parse_maxspeed_kmh("signals"), None);
    }

    #[test]
    fn barriers() {
        let bollard = tags(&[("barrier", "bollard")]);
        let gate = tags(&[("barrier", "gate")]);
        let locked = tags(&[("barrier", "gate"), ("access", "no")]);
        let foot = ModeProfile::builtin(TravelMode::Foot);
        let van = ModeProfile::builtin(TravelMode::Van);
        let tri = ModeProfile::builtin(TravelMode::Tricycle);
        assert!(!foot.is_stopped_by_barrier(&bollard));
        assert!(van.is_stopped_by_barrier(&bollard));
        assert!(!tri.is_stopped_by_barrier(&bollard));
        assert!(!van.is_stopped_by_barrier(&gate));
        assert!(foot.is_stopped_by_barrier(&locked));
    }

    #[test]
    fn mode_names() {
        assert_eq!("Walk".parse::<TravelMode>().unwrap(), TravelMode::Foot);
        assert_eq!(
            "e-bike".parse::<TravelMode>().unwrap(),
            TravelMode::Tricycle
        );
        assert!("boat".parse::<TravelMode>().is_err());
    }
}

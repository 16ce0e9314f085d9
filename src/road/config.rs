//! Configuration of the road network: per-mode overrides of the built-in speeds and rules
//! ([`ModeProfile::builtin`]), snapping and matrix limits. A serde struct, so the CLI
//! (`--road-config road.json`) or a `[road]` table of the server's configuration can fill it;
//! every field has a default.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::RoadError;
use super::mode::{ModeProfile, PrivateRoads, RoadClass, TravelMode};

/// Overrides of one mode's built-in profile, as configuration gives them. A speed of 0 closes
/// the class to the mode.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModeOverrides {
    pub speeds_kmh: BTreeMap<RoadClass, f64>,
    pub explicit_access_speed_kmh: Option<f64>,
    pub respect_oneway: Option<bool>,
    pub private_roads: Option<PrivateRoads>,
    pub use_maxspeed: Option<bool>,
}

/// Configuration of the road network (a `[road]` table in the TOML file, or CLI flags).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoadConfig {
    pub foot: ModeOverrides,
    pub tricycle: ModeOverrides,
    pub van: ModeOverrides,
    /// Walking speed from the road to the door, km/h (counted in every mode: the last
    /// stretch is walked).
    pub door_walk_speed_kmh: f64,
    /// Points farther than this from every usable road are refused.
    pub max_snap_distance_m: f64,
    /// Snap only to the largest strongly connected part of each graph, so that every pair
    /// of snapped points has a route.
    pub snap_to_largest_component: bool,
    /// Largest number of sources, and of destinations, in one matrix.
    pub max_matrix_locations: usize,
    /// Largest number of cells (sources × destinations) in one matrix.
    pub max_matrix_cells: usize,
}

impl Default for RoadConfig {
    fn default() -> Self {
        RoadConfig {
            foot: ModeOverrides::default(),
            tricycle: ModeOverrides::default(),
            van: ModeOverrides::default(),
            door_walk_speed_kmh: 4.0,
            max_snap_distance_m: 1_000.0,
            snap_to_largest_component: true,
            max_matrix_locations: 5_000,
            max_matrix_cells: 4_000_000,
        }
    }
}

impl RoadConfig {
    /// The profile of a mode: built-in defaults with this configuration's overrides.
    pub fn profile(&self, mode: TravelMode) -> Result<ModeProfile, RoadError> {
        self.validate()?;
        let mut profile = ModeProfile::builtin(mode);
        let overrides = self.overrides(mode);
        for (&class, &speed) in &overrides.speeds_kmh {
            if speed == 0.0 {
                profile.speeds_kmh.remove(&class);
            } else {
                profile.speeds_kmh.insert(class, speed);
            }
        }
        if let Some(v) = overrides.explicit_access_speed_kmh {
            profile.explicit_access_speed_kmh = v;
        }
        if let Some(v) = overrides.respect_oneway {
            profile.respect_oneway = v;
        }
        if let Some(v) = overrides.private_roads {
            profile.private_roads = v;
        }
        if let Some(v) = overrides.use_maxspeed {
            profile.use_maxspeed = v;
        }
        Ok(profile)
    }

    fn overrides(&self, mode: TravelMode) -> &ModeOverrides {
        match mode {
            TravelMode::Foot => &self.foot,
            TravelMode::Tricycle => &self.tricycle,
            TravelMode::Van => &self.van,
        }
    }

    /// Checks every number: speeds finite and in 0..=200 km/h (0 closes a class), limits
    /// positive.
    pub fn validate(&self) -> Result<(), RoadError> {
        let bad = |field: String, value: f64| RoadError::Config {
            field,
            reason: format!("{value} is not a speed in km/h between 0 and 200"),
        };
        for mode in TravelMode::ALL {
            let o = self.overrides(mode);
            for (class, &v) in &o.speeds_kmh {
                if !(0.0..=200.0).contains(&v) {
                    let class = serde_json::to_string(class).unwrap_or_default();
                    return Err(bad(
                        format!("road.{mode}.speeds_kmh.{}", class.trim_matches('"')),
                        v,
                    ));
                }
            }
            if let Some(v) = o.explicit_access_speed_kmh
                && !(v > 0.0 && v <= 200.0)
            {
                return Err(bad(format!("road.{mode}.explicit_access_speed_kmh"), v));
            }
        }
        if !(self.door_walk_speed_kmh > 0.0 && self.door_walk_speed_kmh <= 20.0) {
            return Err(RoadError::Config {
                field: "road.door_walk_speed_kmh".into(),
                reason: format!(
                    "{} is not a walking speed in km/h (0 < speed ≤ 20)",
                    self.door_walk_speed_kmh
                ),
            });
        }
        if !(self.max_snap_distance_m > 0.0 && self.max_snap_distance_m.is_finite()) {
            return Err(RoadError::Config {
                field: "road.max_snap_distance_m".into(),
                reason: "must be a positive number of metres".into(),
            });
        }
        if self.max_matrix_locations == 0 || self.max_matrix_cells == 0 {
            return Err(RoadError::Config {
                field: "road.max_matrix_locations / road.max_matrix_cells".into(),
                reason: "must be at least 1".into(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_overrides_and_validation() {
        let text =
            r#"{"foot":{"speeds_kmh":{"steps":1.5,"trunk":0}},"van":{"respect_oneway":false}}"#;
        let config: RoadConfig = serde_json::from_str(text).unwrap();
        let foot = config.profile(TravelMode::Foot).unwrap();
        assert_eq!(foot.speeds_kmh[&RoadClass::Steps], 1.5);
        assert!(!foot.speeds_kmh.contains_key(&RoadClass::Trunk));
        assert_eq!(foot.speeds_kmh[&RoadClass::Footway], 4.5);
        assert!(!config.profile(TravelMode::Van).unwrap().respect_oneway);

        let bad: RoadConfig =
            serde_json::from_str(r#"{"tricycle":{"speeds_kmh":{"primary":-3}}}"#).unwrap();
        let err = bad.profile(TravelMode::Foot).unwrap_err().to_string();
        assert!(err.contains("road.tricycle.speeds_kmh.primary"), "{err}");
        assert!(serde_json::from_str::<RoadConfig>(r#"{"bus":{}}"#).is_err());
    }
}

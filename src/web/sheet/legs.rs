//! The way from stop to stop on a route sheet: each leg's line on the map and its directions
//! in the reader's language, from the road network (straight lines and no directions when no
//! network is loaded or a leg has no route).

use geo::Point;

use crate::domain::TravelMode;
use crate::i18n::Lang;
use crate::road::{self, RoadNetwork};

/// One leg: from the previous stop (or the base) to a stop.
#[derive(Clone, Debug, Default)]
pub struct Leg {
    /// `[longitude, latitude]` positions.
    pub line: Vec<[f64; 2]>,
    pub distance_m: Option<f64>,
    pub duration_s: Option<f64>,
    /// Turn-by-turn directions; empty without a route.
    pub steps: Vec<String>,
    /// True when `line` follows the roads (false: a straight line between the points).
    pub on_roads: bool,
}

pub fn road_mode(mode: TravelMode) -> road::TravelMode {
    match mode {
        TravelMode::Foot => road::TravelMode::Foot,
        TravelMode::Tricycle => road::TravelMode::Tricycle,
        TravelMode::Van => road::TravelMode::Van,
    }
}

/// The legs through `points` (base first, then the stops): `points.len() - 1` of them.
pub fn legs(
    network: Option<&RoadNetwork>,
    mode: TravelMode,
    points: &[[f64; 2]],
    lang: Lang,
) -> Vec<Leg> {
    let straight = |a: [f64; 2], b: [f64; 2]| Leg {
        line: vec![a, b],
        ..Leg::default()
    };
    let Some(network) = network else {
        return points.windows(2).map(|w| straight(w[0], w[1])).collect();
    };
    let mode = road_mode(mode);
    let located: Vec<_> = points
        .iter()
        .map(|&[x, y]| network.locate(mode, Point::new(x, y)).ok())
        .collect();
    points
        .windows(2)
        .zip(located.windows(2))
        .map(|(p, l)| {
            let (Some(a), Some(b)) = (&l[0], &l[1]) else {
                return straight(p[0], p[1]);
            };
            match network.route_located(a, b) {
                Ok(route) => Leg {
                    line: route.geometry.0.iter().map(|c| [c.x, c.y]).collect(),
                    distance_m: Some(route.distance_m),
                    duration_s: Some(route.duration_s),
                    steps: route
                        .steps
                        .iter()
                        .map(|s| match lang {
                            Lang::Zh => s.instruction_zh.clone(),
                            Lang::En => s.instruction_en.clone(),
                        })
                        .filter(|s| !s.is_empty())
                        .collect(),
                    on_roads: true,
                },
                Err(_) => straight(p[0], p[1]),
            }
        })
        .collect()
}

/// `350 m · 5 min` / `1.2 km · 14 min`.
pub fn summary(distance_m: f64, duration_s: f64, lang: Lang) -> String {
    let minutes = (duration_s / 60.0).round().max(1.0) as i64;
    let dist = if distance_m >= 1000.0 {
        format!("{:.1} km", distance_m / 1000.0)
    } else {
        format!("{} m", ((distance_m / 10.0).round() * 10.0) as i64)
    };
    match lang {
        Lang::Zh => format!("{dist} · {minutes} 分钟"),
        Lang::En => format!("{dist} · {minutes} min"),
    }
}

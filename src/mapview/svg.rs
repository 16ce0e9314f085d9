//! A route map as SVG, for paper: the base layers of the area around a route, the route, the
//! numbered stops and the zones, in black, white and greys so that it survives a
//! black-and-white printer and a photocopy.

use std::fmt::Write;

use super::write::Geometry;
use super::{MapLayers, View, mercator_y};

/// What is drawn over the base map.
#[derive(Clone, Debug, Default)]
pub struct Overlay {
    /// Lines of the route, `[lon, lat]` positions.
    pub route: Vec<Vec<[f64; 2]>>,
    /// Numbered stops: (number, `[lon, lat]`, done).
    pub stops: Vec<(usize, [f64; 2], bool)>,
    /// Where the squad starts.
    pub base: Option<[f64; 2]>,
    /// Zones: (outer rings, high-risk); high-risk ones are hatched.
    pub zones: Vec<(Vec<Vec<[f64; 2]>>, bool)>,
    /// Zones' checkpoints.
    pub checkpoints: Vec<[f64; 2]>,
}

/// The frame that shows every point of `overlay` with a margin, in a `width` × `height` box.
pub fn frame_of(overlay: &Overlay, width: f64, height: f64) -> Option<View> {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    let mut add = |[x, y]: [f64; 2]| {
        b[0] = b[0].min(x);
        b[1] = b[1].min(y);
        b[2] = b[2].max(x);
        b[3] = b[3].max(y);
    };
    overlay.route.iter().flatten().for_each(|&p| add(p));
    overlay.stops.iter().for_each(|&(_, p, _)| add(p));
    overlay.base.into_iter().for_each(&mut add);
    if !b[0].is_finite() {
        return None;
    }
    // At least ~300 m across, then a 8% margin on every side.
    let min_span = 0.003;
    let (cx, cy) = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
    let half_w = ((b[2] - b[0]).max(min_span) / 2.0) * 1.16;
    let half_h = ((b[3] - b[1]).max(min_span * 0.7) / 2.0) * 1.16;
    // Fit the aspect ratio of the box (in Mercator units).
    let my = |lat: f64| mercator_y(lat) * 360.0;
    let span_x = 2.0 * half_w;
    let span_y = (my(cy - half_h) - my(cy + half_h)).abs();
    let (mut span_x2, mut span_y2) = (span_x, span_y);
    if span_x / span_y > width / height {
        span_y2 = span_x * height / width;
    } else {
        span_x2 = span_y * width / height;
    }
    let top = my(cy) - span_y2 / 2.0;
    let bottom = my(cy) + span_y2 / 2.0;
    let lat_of = |m: f64| {
        let n = std::f64::consts::PI * (1.0 - 2.0 * m / 360.0);
        n.sinh().atan().to_degrees()
    };
    let zoom = ((360.0 * width / (256.0 * span_x2)).log2().floor()).clamp(10.0, 18.0) as u8;
    Some(View {
        min_lon: cx - span_x2 / 2.0,
        max_lon: cx + span_x2 / 2.0,
        min_lat: lat_of(bottom),
        max_lat: lat_of(top),
        zoom,
    })
}

struct Projector {
    view: View,
    width: f64,
    height: f64,
    top: f64,
    bottom: f64,
}

impl Projector {
    fn new(view: View, width: f64, height: f64) -> Self {
        Projector {
            view,
            width,
            height,
            top: mercator_y(view.max_lat),
            bottom: mercator_y(view.min_lat),
        }
    }

    fn xy(&self, [lon, lat]: [f64; 2]) -> (f64, f64) {
        let x = (lon - self.view.min_lon) / (self.view.max_lon - self.view.min_lon) * self.width;
        let y = (mercator_y(lat) - self.top) / (self.bottom - self.top) * self.height;
        (x, y)
    }

    fn path(&self, out: &mut String, line: &[[f64; 2]], close: bool) {
        for (i, &p) in line.iter().enumerate() {
            let (x, y) = self.xy(p);
            let _ = write!(out, "{}{x:.1} {y:.1}", if i == 0 { "M" } else { "L" });
        }
        if close {
            out.push('Z');
        }
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The SVG document (an `<svg>` element, no XML prolog) of `overlay` over the base layers in
/// `view`, `width` × `height` user units. `attribution` is printed in the corner.
pub fn render(
    layers: Option<&MapLayers>,
    view: &View,
    width: f64,
    height: f64,
    overlay: &Overlay,
    english: bool,
    attribution: &str,
) -> String {
    let p = Projector::new(*view, width, height);
    let mut s = String::with_capacity(64 * 1024);
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0} {height:.0}" class="route-map" role="img"><defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#000" stroke-width="1.2"/></pattern><clipPath id="frame"><rect width="{width:.0}" height="{height:.0}"/></clipPath></defs><rect width="{width:.0}" height="{height:.0}" fill="#fff"/><g clip-path="url(#frame)">"##
    );
    let mut labels: Vec<(f64, f64, String)> = Vec::new();
    if let Some(layers) = layers {
        // A view's roads are drawn in two passes (casing, then fill) so that crossings read.
        let mut roads: Vec<(String, f64)> = Vec::new();
        layers.visit(view, english, |layer, class, g, name| {
            let mut d = String::new();
            match g {
                Geometry::Polygons(ps) => {
                    for rings in ps {
                        for r in rings {
                            p.path(&mut d, r, true);
                        }
                    }
                }
                Geometry::Line(l) => p.path(&mut d, l, false),
                Geometry::Point(_) => {}
            }
            match (layer, class) {
                ("area", "compound") => {
                    let _ = write!(
                        s,
                        r##"<path d="{d}" fill="#f2f2f2" stroke="#777" stroke-width="0.8" stroke-dasharray="4 2"/>"##
                    );
                    if let (Some(n), Geometry::Polygons(ps)) = (name, g)
                        && let Some(c) = ps.first().and_then(|r| r.first()).map(|r| centre(r))
                    {
                        let (x, y) = p.xy(c);
                        labels.push((x, y, n.to_owned()));
                    }
                }
                ("area", _) => {}
                ("building", _) => {
                    let _ = write!(
                        s,
                        r##"<path d="{d}" fill="#d9d9d9" stroke="#555" stroke-width="0.5"/>"##
                    );
                }
                ("road", c) => {
                    let w = match c {
                        "major" => 7.0,
                        "main" => 5.5,
                        "street" => 4.0,
                        "service" => 2.5,
                        _ => 1.2,
                    };
                    roads.push((d, w));
                    if let (Some(n), Geometry::Line(l)) = (name, g)
                        && c != "path"
                        && c != "service"
                    {
                        let (x, y) = p.xy(l[l.len() / 2]);
                        labels.push((x, y, n.to_owned()));
                    }
                }
                _ => {}
            }
        });
        for (d, w) in &roads {
            let _ = write!(
                s,
                r##"<path d="{d}" fill="none" stroke="#444" stroke-width="{:.1}" stroke-linecap="round" stroke-linejoin="round"/>"##,
                w + 1.2
            );
        }
        for (d, w) in &roads {
            let _ = write!(
                s,
                r##"<path d="{d}" fill="none" stroke="#fff" stroke-width="{w:.1}" stroke-linecap="round" stroke-linejoin="round"/>"##
            );
        }
    }
    for (rings, high_risk) in &overlay.zones {
        let mut d = String::new();
        for r in rings {
            p.path(&mut d, r, true);
        }
        let fill = if *high_risk { "url(#hatch)" } else { "none" };
        let _ = write!(
            s,
            r##"<path d="{d}" fill="{fill}" fill-opacity="0.5" stroke="#000" stroke-width="2" stroke-dasharray="8 4"/>"##
        );
    }
    // Labels under the route, with a white halo. At most one per name.
    let mut seen = std::collections::HashSet::new();
    for (x, y, n) in labels {
        if !seen.insert(n.clone()) || x < 0.0 || y < 0.0 || x > width || y > height {
            continue;
        }
        let _ = write!(
            s,
            r##"<text x="{x:.1}" y="{y:.1}" font-size="10" text-anchor="middle" stroke="#fff" stroke-width="3" paint-order="stroke" fill="#333">{}</text>"##,
            escape(&n)
        );
    }
    for line in &overlay.route {
        let mut d = String::new();
        p.path(&mut d, line, false);
        let _ = write!(
            s,
            r##"<path d="{d}" fill="none" stroke="#fff" stroke-width="6" stroke-linecap="round" stroke-linejoin="round"/><path d="{d}" fill="none" stroke="#000" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/>"##
        );
    }
    for &c in &overlay.checkpoints {
        let (x, y) = p.xy(c);
        let _ = write!(
            s,
            r##"<path d="M{:.1} {:.1}l7 12h-14z" fill="#fff" stroke="#000" stroke-width="2"/><text x="{x:.1}" y="{:.1}" font-size="9" text-anchor="middle" font-weight="bold">!</text>"##,
            x,
            y - 8.0,
            y + 3.0
        );
    }
    if let Some(b) = overlay.base {
        let (x, y) = p.xy(b);
        let _ = write!(
            s,
            r##"<rect x="{:.1}" y="{:.1}" width="14" height="14" fill="#000"/>"##,
            x - 7.0,
            y - 7.0
        );
    }
    for &(n, c, done) in &overlay.stops {
        let (x, y) = p.xy(c);
        let (fill, ink) = if done {
            ("#000", "#fff")
        } else {
            ("#fff", "#000")
        };
        let _ = write!(
            s,
            r##"<circle cx="{x:.1}" cy="{y:.1}" r="10" fill="{fill}" stroke="#000" stroke-width="2"/><text x="{x:.1}" y="{:.1}" font-size="11" font-weight="bold" text-anchor="middle" fill="{ink}">{n}</text>"##,
            y + 4.0
        );
    }
    let scale_m = scale_bar_m(view, width);
    let scale_px = scale_m / metres_per_unit(view, width);
    let _ = write!(
        s,
        r##"</g><rect x="8" y="{:.1}" width="{:.1}" height="5" fill="#000"/><text x="8" y="{:.1}" font-size="10">{} m</text><text x="{:.1}" y="{:.1}" font-size="9" text-anchor="end" stroke="#fff" stroke-width="3" paint-order="stroke">{}</text><rect width="{width:.0}" height="{height:.0}" fill="none" stroke="#000" stroke-width="1"/></svg>"##,
        height - 14.0,
        scale_px,
        height - 18.0,
        scale_m as i64,
        width - 6.0,
        height - 6.0,
        escape(attribution)
    );
    s
}

fn centre(ring: &[[f64; 2]]) -> [f64; 2] {
    let n = ring.len().max(1) as f64;
    let (x, y) = ring
        .iter()
        .fold((0.0, 0.0), |(x, y), p| (x + p[0], y + p[1]));
    [x / n, y / n]
}

/// Metres per SVG unit across the view at its centre latitude.
fn metres_per_unit(view: &View, width: f64) -> f64 {
    let lat = ((view.min_lat + view.max_lat) / 2.0).to_radians();
    (view.max_lon - view.min_lon) * 111_320.0 * lat.cos() / width
}

/// A round length for the scale bar, about a fifth of the width.
fn scale_bar_m(view: &View, width: f64) -> f64 {
    let target = metres_per_unit(view, width) * width / 5.0;
    [
        10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0,
    ]
    .into_iter()
    .rev()
    .find(|&m| m <= target)
    .unwrap_or(10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_renders_with_every_stop_and_the_attribution() {
        let overlay = Overlay {
            route: vec![vec![[126.65, 45.75], [126.66, 45.755]]],
            stops: vec![(1, [126.655, 45.752], false), (2, [126.66, 45.755], true)],
            base: Some([126.65, 45.75]),
            zones: vec![(
                vec![vec![
                    [126.656, 45.753],
                    [126.657, 45.753],
                    [126.657, 45.754],
                    [126.656, 45.753],
                ]],
                true,
            )],
            checkpoints: vec![[126.656, 45.753]],
        };
        let view = frame_of(&overlay, 700.0, 480.0).unwrap();
        assert!(view.min_lon < 126.65 && view.max_lon > 126.66);
        assert!(view.min_lat < 45.75 && view.max_lat > 45.755);
        let svg = render(
            None,
            &view,
            700.0,
            480.0,
            &overlay,
            false,
            "© OpenStreetMap <x>",
        );
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains(">1</text>") && svg.contains(">2</text>"));
        assert!(svg.contains("© OpenStreetMap &lt;x&gt;"));
        assert!(svg.contains("url(#hatch)"));
        assert_eq!(frame_of(&Overlay::default(), 10.0, 10.0), None);
    }
}

//! House numbers: parsing them, finding them on a street, and placing a number the data lacks
//! between its numbered neighbours (same side of the street first: odd and even numbers face
//! each other in numbering schemes that alternate sides).

use geo::Coord;
use serde::{Deserialize, Serialize};

use super::streets::dist_m;

/// A numbered point on a street.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Numbered {
    /// The leading integer (`2400` of `2400A`).
    pub number: u32,
    /// The whole number as normalized text (`2400a`, `10-2`).
    pub text: String,
    pub point: Coord<f64>,
}

/// Parses `85号`, `2400A`, `10-2`, `No. 7` into (leading integer, normalized text).
pub(crate) fn parse_house_number(raw: &str) -> Option<(u32, String)> {
    let t: String = raw
        .chars()
        .map(super::normalize::fold_char)
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let t = t.trim_start_matches("no").to_string();
    let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() || digits.len() > 6 {
        return None;
    }
    let n: u32 = digits.parse().ok()?;
    Some((n, t))
}

/// How a number was placed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Placed {
    /// The data has this number.
    Exact(Coord<f64>),
    /// Placed between numbered neighbours; the gap between them in metres.
    Between(Coord<f64>, f64),
    /// Only one side known: the nearest numbered neighbour's point, and how far off in numbers.
    Near(Coord<f64>, u32),
}

/// Places `number` (text as normalized) among the sorted numbered points of a street.
pub(crate) fn place(list: &[Numbered], number: u32, text: &str) -> Option<Placed> {
    if list.is_empty() {
        return None;
    }
    if let Some(x) = list.iter().find(|x| x.text == text) {
        return Some(Placed::Exact(x.point));
    }
    if let Some(x) = list.iter().find(|x| x.number == number) {
        // 2400 asked, 2400A known (or the other way round): the same building plot.
        return Some(Placed::Exact(x.point));
    }
    let parity = number % 2;
    for same_side in [true, false] {
        let side: Vec<&Numbered> = list
            .iter()
            .filter(|x| !same_side || x.number % 2 == parity)
            .collect();
        if side.is_empty() {
            continue;
        }
        let lo = side.iter().rev().find(|x| x.number < number);
        let hi = side.iter().find(|x| x.number > number);
        match (lo, hi) {
            (Some(lo), Some(hi)) => {
                let gap = dist_m(lo.point, hi.point);
                // Numbers far apart in space (another block of the same name) are no guide.
                if gap < 800.0 {
                    let t = f64::from(number - lo.number) / f64::from(hi.number - lo.number);
                    let p = Coord {
                        x: lo.point.x + (hi.point.x - lo.point.x) * t,
                        y: lo.point.y + (hi.point.y - lo.point.y) * t,
                    };
                    return Some(Placed::Between(p, gap));
                }
                let nearer = if number - lo.number <= hi.number - number {
                    lo
                } else {
                    hi
                };
                return Some(Placed::Near(nearer.point, nearer.number.abs_diff(number)));
            }
            (Some(one), None) | (None, Some(one)) => {
                // Extrapolate along the two nearest on this side when they are close.
                let two = if one.number < number {
                    side.iter()
                        .rev()
                        .filter(|x| x.number < one.number)
                        .find(|_| true)
                } else {
                    side.iter().find(|x| x.number > one.number)
                };
                if let Some(two) = two {
                    let span = f64::from(one.number.abs_diff(two.number));
                    let ahead = f64::from(one.number.abs_diff(number));
                    let d = dist_m(one.point, two.point);
                    if span > 0.0 && ahead <= span * 2.0 && d < 400.0 {
                        let t = ahead / span;
                        let p = Coord {
                            x: one.point.x + (one.point.x - two.point.x) * t,
                            y: one.point.y + (one.point.y - two.point.y) * t,
                        };
                        return Some(Placed::Between(p, d * (1.0 + t)));
                    }
                }
                return Some(Placed::Near(one.point, one.number.abs_diff(number)));
            }
            (None, None) => continue,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(number: u32, x: f64) -> Numbered {
        Numbered {
            number,
            text: number.to_string(),
            point: Coord { x, y: 39.28 },
        }
    }

    #[test]
    fn parses() {
        assert_eq!(parse_house_number("85号"), Some((85, "85".into())));
        assert_eq!(parse_house_number("2400A"), Some((2400, "2400a".into())));
        assert_eq!(parse_house_number("No. 7"), Some((7, "7".into())));
        assert_eq!(parse_house_number("号"), None);
    }

    #[test]
    fn interpolates_on_the_same_side() {
        let list = vec![n(2400, -76.580), n(2401, -76.5), n(2410, -76.579)];
        match place(&list, 2404, "2404") {
            Some(Placed::Between(p, _)) => assert!((p.x - -76.5796).abs() < 1e-9, "{p:?}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            place(&list, 2401, "2401"),
            Some(Placed::Exact(list[1].point))
        );
    }
}

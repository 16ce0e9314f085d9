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
    /// Far past the numbered stretch: along the line the nearest numbers follow.
    Fitted(Coord<f64>),
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
    let same_side = |x: &Numbered| x.number % 2 == parity;
    // 1. Between numbered neighbours on the same side of the street — unless they are far
    //    apart and the other side brackets the number much more tightly (a house across the
    //    street is nearer than a guess along a long gap).
    let same = bracket(list, number, same_side);
    if let Some(Placed::Between(p, gap)) = same {
        let either = bracket(list, number, |_| true);
        return match either {
            Some(Placed::Between(q, g2)) if gap > 150.0 && g2 * 2.0 < gap => {
                Some(Placed::Between(q, g2))
            }
            _ => Some(Placed::Between(p, gap)),
        };
    }
    // 2. A number a few away (either side): its building is next door.
    // The same side preferred: across the street is 20–40 m away.
    let nearest = list
        .iter()
        .min_by_key(|x| x.number.abs_diff(number) + if same_side(x) { 0 } else { 3 })?;
    let diff = nearest.number.abs_diff(number);
    if diff <= 6 {
        return Some(Placed::Near(nearest.point, diff));
    }
    // 3. Between neighbours of either parity.
    if let Some(p) = bracket(list, number, |_| true) {
        return Some(p);
    }
    // 4. Past the end of the numbered stretch: along the last two on the same side.
    let side: Vec<&Numbered> = list.iter().filter(|x| same_side(x)).collect();
    let lo = side.iter().rev().find(|x| x.number < number).copied();
    let hi = side.iter().find(|x| x.number > number).copied();
    let pair = match (lo, hi) {
        (Some(one), None) => side
            .iter()
            .rev()
            .find(|x| x.number < one.number)
            .map(|two| (one, *two)),
        (None, Some(one)) => side
            .iter()
            .find(|x| x.number > one.number)
            .map(|two| (one, *two)),
        _ => None,
    };
    if let Some((one, two)) = pair {
        let span = f64::from(one.number.abs_diff(two.number));
        let ahead = f64::from(one.number.abs_diff(number));
        let d = dist_m(one.point, two.point);
        if span > 0.0 && ahead <= span * 2.0 && d < 400.0 && plausible(one, two) {
            let t = ahead / span;
            let p = Coord {
                x: one.point.x + (one.point.x - two.point.x) * t,
                y: one.point.y + (one.point.y - two.point.y) * t,
            };
            return Some(Placed::Between(p, d * (1.0 + t)));
        }
    }
    // 5. Far from any numbered stretch: the line that the nearest numbers follow, extended.
    if diff > 20
        && let Some(p) = fitted(list, number, same_side)
        && dist_m(p, nearest.point) < 1500.0
    {
        return Some(Placed::Fitted(p));
    }
    Some(Placed::Near(nearest.point, diff))
}

/// Least-squares line through the (number, position) of the numbers nearest to `number` (the
/// same side when it has two), evaluated at `number`.
fn fitted(
    list: &[Numbered],
    number: u32,
    same_side: impl Fn(&Numbered) -> bool,
) -> Option<Coord<f64>> {
    let mut pool: Vec<&Numbered> = list.iter().filter(|x| same_side(x)).collect();
    if pool.len() < 2 {
        pool = list.iter().collect();
    }
    pool.sort_by_key(|x| x.number.abs_diff(number));
    pool.truncate(6);
    let n = pool.len() as f64;
    if n < 2.0 {
        return None;
    }
    let mean_k = pool.iter().map(|x| f64::from(x.number)).sum::<f64>() / n;
    let (mean_x, mean_y) = (
        pool.iter().map(|x| x.point.x).sum::<f64>() / n,
        pool.iter().map(|x| x.point.y).sum::<f64>() / n,
    );
    let var = pool
        .iter()
        .map(|x| (f64::from(x.number) - mean_k).powi(2))
        .sum::<f64>();
    if var <= 0.0 {
        return None;
    }
    let slope = |f: &dyn Fn(&Numbered) -> f64, mean: f64| {
        pool.iter()
            .map(|x| (f64::from(x.number) - mean_k) * (f(x) - mean))
            .sum::<f64>()
            / var
    };
    let sx = slope(&|x| x.point.x, mean_x);
    let sy = slope(&|x| x.point.y, mean_y);
    let dk = f64::from(number) - mean_k;
    Some(Coord {
        x: mean_x + sx * dk,
        y: mean_y + sy * dk,
    })
}

/// Numbers that grow faster than a few per metre between two points are a typo in the data
/// (`25227` among `2411`, `2512`), not a guide.
fn plausible(a: &Numbered, b: &Numbered) -> bool {
    let d = dist_m(a.point, b.point).max(20.0);
    f64::from(a.number.abs_diff(b.number)) / d <= 4.0
}

/// The nearest numbers below and above `number` among those `keep` accepts, when they are
/// close in space and plausible, and the point between them.
fn bracket(list: &[Numbered], number: u32, keep: impl Fn(&Numbered) -> bool) -> Option<Placed> {
    // The closest plausible pair among the three nearest numbers on each side: one typo in
    // the data then costs a wider bracket, not a wild position.
    let los: Vec<&Numbered> = list
        .iter()
        .rev()
        .filter(|x| keep(x) && x.number < number)
        .take(3)
        .collect();
    let his: Vec<&Numbered> = list
        .iter()
        .filter(|x| keep(x) && x.number > number)
        .take(3)
        .collect();
    let (lo, hi) = los
        .iter()
        .flat_map(|lo| his.iter().map(move |hi| (*lo, *hi)))
        .filter(|(lo, hi)| plausible(lo, hi) && dist_m(lo.point, hi.point) < 1500.0)
        .min_by_key(|(lo, hi)| hi.number - lo.number)?;
    let gap = dist_m(lo.point, hi.point);
    let t = f64::from(number - lo.number) / f64::from(hi.number - lo.number);
    let p = Coord {
        x: lo.point.x + (hi.point.x - lo.point.x) * t,
        y: lo.point.y + (hi.point.y - lo.point.y) * t,
    };
    Some(Placed::Between(p, gap))
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

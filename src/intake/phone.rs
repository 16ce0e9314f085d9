//! Phone numbers and full-width characters as residents type them on Chinese phones.

use super::Problem;

/// Full-width ASCII (ＡＢＣ１２３) → ASCII; other characters unchanged.
pub fn to_half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c,
        })
        .collect()
}

/// A Chinese phone number, normalized: a mobile as 11 digits (`13945678901`), a landline as
/// `0451-86123456`, or a local landline as 7–8 digits. Accepts spaces, hyphens, full-width
/// digits and a `+86` / `0086` prefix.
pub fn parse_phone(raw: &str) -> Result<String, Problem> {
    let s = to_half_width(raw.trim());
    if s.is_empty() {
        return Err(Problem::Required);
    }
    if s.chars().count() > 24 {
        return Err(Problem::Phone);
    }
    let mut digits = String::new();
    let mut hyphen_at = None;
    for (i, c) in s.chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '(' | ')' => {
                if c == '-' && hyphen_at.is_none() {
                    hyphen_at = Some(digits.len());
                }
            }
            '+' if i == 0 => {}
            _ => return Err(Problem::Phone),
        }
    }
    let digits = if s.starts_with('+') {
        match digits.strip_prefix("86") {
            Some(d) => d.to_owned(),
            None => return Err(Problem::Phone),
        }
    } else if let Some(d) = digits.strip_prefix("0086") {
        d.to_owned()
    } else {
        digits
    };
    let b = digits.as_bytes();
    // Mobile: 1[3-9] + 9 digits.
    if b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) {
        return Ok(digits);
    }
    // Landline with area code: 0 + 2–3 digits area + 7–8 digits.
    if b.first() == Some(&b'0') && (10..=12).contains(&b.len()) {
        let area_len = match hyphen_at {
            Some(h @ 3..=4) => h,
            // Two-digit-area cities (010, 020-029) are 3 with the 0; others 4.
            _ if matches!(b.get(1), Some(b'1' | b'2')) => 3,
            _ => 4,
        };
        let local = b.len() - area_len;
        if (7..=8).contains(&local) {
            return Ok(format!("{}-{}", &digits[..area_len], &digits[area_len..]));
        }
    }
    // A local landline without area code.
    if (7..=8).contains(&b.len()) && b[0] != b'0' && b[0] != b'1' {
        return Ok(digits);
    }
    Err(Problem::Phone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones() {
        assert_eq!(parse_phone("13945678901").unwrap(), "13945678901");
        assert_eq!(parse_phone("+86 139-4567-8901").unwrap(), "13945678901");
        assert_eq!(
            parse_phone("１３９４５６７８９０１").unwrap(),
            "13945678901"
        );
        assert_eq!(parse_phone("0451-86123456").unwrap(), "0451-86123456");
        assert_eq!(parse_phone("045186123456").unwrap(), "0451-86123456");
        assert_eq!(parse_phone("010-12345678").unwrap(), "010-12345678");
        assert_eq!(parse_phone("86123456").unwrap(), "86123456");
        assert_eq!(parse_phone("1394567890a"), Err(Problem::Phone));
        assert_eq!(parse_phone("12345678901"), Err(Problem::Phone));
        assert_eq!(parse_phone("abc"), Err(Problem::Phone));
        assert_eq!(parse_phone("1394567890"), Err(Problem::Phone));
        assert_eq!(parse_phone("   "), Err(Problem::Required));
        assert_eq!(
            parse_phone("'; DROP TABLE requests;--"),
            Err(Problem::Phone)
        );
    }
}

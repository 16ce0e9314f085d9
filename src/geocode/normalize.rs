//! Text normalization shared by the index and the queries, so both sides meet in one form:
//! full-width → ASCII, traditional → simplified, lower case, no spaces or punctuation between
//! Chinese characters, and Chinese numerals → digits where they count something (`三十二号` →
//! `32号`, `五〇一室` → `501室`) but not inside names (`经纬三道街` stays).
//!
//! Latin text (English, pinyin, US addresses) is split into words instead, with the usual
//! abbreviations expanded (`St` → `street`, `E` → `east`).

use pinyin::ToPinyin;

use super::t2s_table::T2S;

/// One character in normalized form: full-width → ASCII, traditional → simplified, lower case.
pub fn fold_char(c: char) -> char {
    let c = match c {
        '\u{3000}' => ' ',
        // Pinyin's ü is typed u (or v) on keyboards without it.
        'ü' | 'Ü' | 'ǖ' | 'ǘ' | 'ǚ' | 'ǜ' => 'u',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    let c = c.to_ascii_lowercase();
    if is_cjk(c)
        && let Ok(i) = T2S.binary_search_by_key(&c, |&(t, _)| t)
    {
        return T2S[i].1;
    }
    c
}

/// True for a CJK unified ideograph (the characters of Chinese names), `〇` included.
pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '〇')
}

/// True when the text has at least one Chinese character.
pub fn has_cjk(text: &str) -> bool {
    text.chars().any(is_cjk)
}

/// Characters after which a Chinese numeral is a number (house, building, unit, room, floor).
const COUNTERS: &[char] = &[
    '号', '栋', '幢', '单', '室', '户', '层', '楼', '座', '门', '弄', '排',
];

/// The compact normalized form of Chinese (or mixed) text: folded characters, Chinese numerals
/// before counters as digits, and only CJK characters, ASCII letters, digits and `-` between
/// digits kept.
///
/// ```
/// use doorstep::geocode::normalize::normalize_zh;
/// assert_eq!(normalize_zh("南崗區 巴山街 ３２號"), "南岗区巴山街32号");
/// assert_eq!(normalize_zh("鸿翔名苑三栋二单元五〇一室"), "鸿翔名苑3栋2单元501室");
/// assert_eq!(normalize_zh("经纬三道街"), "经纬三道街");
/// ```
pub fn normalize_zh(text: &str) -> String {
    let folded: Vec<char> = text.chars().map(fold_char).collect();
    let chars = numerals_to_digits(&folded);
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        if is_cjk(c) || c.is_ascii_alphanumeric() {
            out.push(c);
        } else if matches!(c, '/' | '&' | '、' | '+') && !out.is_empty() && out.ends_with(is_cjk) {
            // "黑山街/巴山街": a separator between names means "and" (an intersection).
            out.push('与');
        } else if c == '-' || c == '—' || c == '~' || c == '－' {
            // Keep a range/sub-number dash only between digits ("10-2号").
            let prev = out.chars().last().is_some_and(|p| p.is_ascii_digit());
            let next = chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
            if prev && next {
                out.push('-');
            }
        }
    }
    out
}

fn numeral_value(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' => 0,
        '一' | '壹' => 1,
        '二' | '两' | '贰' => 2,
        '三' | '叁' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    })
}

fn is_numeral(c: char) -> bool {
    numeral_value(c).is_some() || matches!(c, '十' | '百' | '千' | '拾' | '佰' | '仟')
}

/// Rewrites runs of Chinese numerals that stand before a counter as ASCII digits.
fn numerals_to_digits(chars: &[char]) -> Vec<char> {
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        if is_numeral(chars[i]) {
            let start = i;
            while i < chars.len() && is_numeral(chars[i]) {
                i += 1;
            }
            let run = &chars[start..i];
            let before_counter = chars.get(i).is_some_and(|c| COUNTERS.contains(c));
            match numeral_run_value(run) {
                Some(v) if before_counter => out.extend(v.chars()),
                _ => out.extend_from_slice(run),
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// `三十二` → 32, `一百零三` → 103, `五〇一` → "501" (digit by digit when no 十/百/千).
fn numeral_run_value(run: &[char]) -> Option<String> {
    let positional = run
        .iter()
        .any(|c| matches!(c, '十' | '百' | '千' | '拾' | '佰' | '仟'));
    if !positional {
        return run
            .iter()
            .map(|&c| numeral_value(c).and_then(|v| char::from_digit(v, 10)))
            .collect();
    }
    let mut total = 0_u32;
    let mut digit: Option<u32> = None;
    for &c in run {
        let unit = match c {
            '十' | '拾' => 10,
            '百' | '佰' => 100,
            '千' | '仟' => 1000,
            _ => {
                digit = Some(numeral_value(c)?);
                continue;
            }
        };
        total += digit.unwrap_or(1) * unit;
        digit = None;
    }
    total += digit.unwrap_or(0);
    Some(total.to_string())
}

/// The plain pinyin of the Chinese characters of `text`, concatenated (`巴山街` → `bashanjie`);
/// ASCII letters and digits are kept, everything else dropped.
pub fn pinyin_key(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for c in text.chars() {
        if let Some(p) = c.to_pinyin() {
            out.extend(p.plain().chars().map(|c| if c == 'ü' { 'u' } else { c }));
        } else if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// The plain pinyin of one character, if it has one.
/// (`ü` is kept as the crate writes it; [`pinyin_key`] writes it `u`.)
pub fn char_pinyin(c: char) -> Option<&'static str> {
    c.to_pinyin().map(|p| p.plain())
}

/// A token of Latin text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LatinToken {
    /// A lower-case word with abbreviations expanded.
    Word(String),
    /// Digits, possibly with a letter or dash (`2400`, `2400a`, `10-2`).
    Number(String),
    /// A comma: addresses list parts from small to large after it.
    Comma,
}

/// Splits Latin text into words, numbers and commas; expands abbreviations.
///
/// ```
/// use doorstep::geocode::normalize::{latin_tokens, LatinToken::*};
/// assert_eq!(
///     latin_tokens("2400 Boston St., Baltimore"),
///     vec![Number("2400".into()), Word("boston".into()), Word("street".into()), Comma, Word("baltimore".into())]
/// );
/// ```
pub fn latin_tokens(text: &str) -> Vec<LatinToken> {
    let mut tokens = Vec::new();
    let mut cur = String::new();
    let flush = |cur: &mut String, tokens: &mut Vec<LatinToken>| {
        if cur.is_empty() {
            return;
        }
        let w = std::mem::take(cur);
        if w.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            tokens.push(LatinToken::Number(w));
        } else {
            tokens.push(LatinToken::Word(expand(&w).to_string()));
        }
    };
    for c in text.chars().map(fold_char) {
        if c.is_ascii_alphanumeric() {
            // "2400a" stays one number; "85号" and "no85" split.
            if !cur.is_empty() {
                let last_digit = cur.chars().last().is_some_and(|l| l.is_ascii_digit());
                let starts_digit = cur.chars().next().is_some_and(|l| l.is_ascii_digit());
                let switch = (c.is_ascii_digit() && !starts_digit)
                    || (c.is_ascii_alphabetic() && starts_digit && !last_digit);
                if switch {
                    flush(&mut cur, &mut tokens);
                }
            }
            cur.push(c);
        } else if c == '-' && cur.chars().last().is_some_and(|l| l.is_ascii_digit()) {
            cur.push(c);
        } else {
            flush(&mut cur, &mut tokens);
            if c == ',' || c == '，' || c == '、' {
                tokens.push(LatinToken::Comma);
            }
        }
    }
    flush(&mut cur, &mut tokens);
    // A trailing dash of "12-" is noise.
    for t in &mut tokens {
        if let LatinToken::Number(n) = t {
            while n.ends_with('-') {
                n.pop();
            }
        }
    }
    tokens
}

/// Expands a lower-case abbreviation (`st` → `street`, `e` → `east`); other words unchanged.
pub fn expand(word: &str) -> &str {
    match word {
        "st" | "str" => "street",
        "ave" | "av" | "avn" => "avenue",
        "rd" => "road",
        "blvd" | "boul" => "boulevard",
        "dr" | "drv" => "drive",
        "ln" => "lane",
        "ct" | "crt" => "court",
        "pl" => "place",
        "ter" | "terr" => "terrace",
        "pkwy" | "pky" => "parkway",
        "hwy" => "highway",
        "sq" => "square",
        "cir" => "circle",
        "aly" => "alley",
        "expy" => "expressway",
        "fwy" => "freeway",
        "trl" => "trail",
        "hts" => "heights",
        "ft" => "fort",
        "mt" => "mount",
        "n" => "north",
        "s" => "south",
        "e" => "east",
        "w" => "west",
        "ne" => "northeast",
        "nw" => "northwest",
        "se" => "southeast",
        "sw" => "southwest",
        "bldg" | "bld" => "building",
        "apt" => "apartment",
        "rm" => "room",
        "no" | "nr" | "num" => "number",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_width_script_and_case() {
        assert_eq!(normalize_zh("哈爾濱市南崗區"), "哈尔滨市南岗区");
        assert_eq!(normalize_zh("ＡＢ１２３号"), "ab123号");
        assert_eq!(normalize_zh("鸿翔名苑 3 栋，2单元"), "鸿翔名苑3栋2单元");
        assert_eq!(normalize_zh("桥南街10-2号"), "桥南街10-2号");
        assert_eq!(normalize_zh("新发小区-F区"), "新发小区f区");
        assert_eq!(normalize_zh("黑山街/巴山街"), "黑山街与巴山街");
    }

    #[test]
    fn numerals_only_where_they_count() {
        assert_eq!(normalize_zh("巴山街三十二号"), "巴山街32号");
        assert_eq!(normalize_zh("十号楼"), "10号楼");
        assert_eq!(normalize_zh("一百零三室"), "103室");
        assert_eq!(normalize_zh("二〇三室"), "203室");
        assert_eq!(normalize_zh("经纬九道街"), "经纬九道街");
        assert_eq!(normalize_zh("八区五巷"), "八区五巷");
        assert_eq!(normalize_zh("第三中学"), "第三中学");
        assert_eq!(normalize_zh("第五号楼"), "第5号楼");
        assert_eq!(normalize_zh("两栋"), "2栋");
    }

    #[test]
    fn pinyin_keys() {
        assert_eq!(pinyin_key("巴山街"), "bashanjie");
        assert_eq!(pinyin_key("红军街"), pinyin_key("宏军街"));
        assert_eq!(char_pinyin('鸿'), Some("hong"));
    }

    #[test]
    fn latin() {
        use LatinToken::*;
        assert_eq!(
            latin_tokens("No.85 Hongjun St"),
            vec![
                Word("number".into()),
                Number("85".into()),
                Word("hongjun".into()),
                Word("street".into())
            ]
        );
        assert_eq!(
            latin_tokens("2400A e. fort ave"),
            vec![
                Number("2400a".into()),
                Word("east".into()),
                Word("fort".into()),
                Word("avenue".into())
            ]
        );
        assert_eq!(
            latin_tokens("ＭＤ ２１２２４"),
            vec![Word("md".into()), Number("21224".into())]
        );
    }
}

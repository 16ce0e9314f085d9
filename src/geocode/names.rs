//! Name forms: how one OSM name is written by the people who search for it.
//!
//! A name gives Chinese keys (normalized; without brackets, without a leading city or district,
//! without a trailing `小区`) and Latin keys (the `name:en` or Latin half of a bilingual name,
//! and the pinyin of the Chinese name with its generic suffix also in English:
//! `红军街` → `hongjunjie`, `hongjunstreet`). Latin keys are concatenated words without spaces,
//! so `Hong Jun Street` and `Hongjun Street` meet.

use super::normalize::{LatinToken, has_cjk, latin_tokens, normalize_zh, pinyin_key};

/// Generic suffixes of Chinese names and how English and pinyin write them.
const SUFFIXES: &[(&str, &[&str])] = &[
    ("大街", &["street", "avenue", "dajie"]),
    ("大道", &["avenue", "boulevard", "dadao", "road"]),
    ("街道", &["subdistrict", "jiedao"]),
    ("街", &["street", "jie"]),
    ("路", &["road", "lu", "street"]),
    ("胡同", &["alley", "lane", "hutong"]),
    ("巷", &["lane", "alley", "xiang"]),
    ("广场", &["square", "plaza", "guangchang"]),
    ("小区", &["xiaoqu", "community", "residentialarea", ""]),
    ("花园", &["garden", "gardens", "huayuan"]),
    ("公园", &["park", "gongyuan"]),
    ("医院", &["hospital", "yiyuan"]),
    ("中学", &["middleschool", "highschool", "zhongxue"]),
    ("小学", &["primaryschool", "elementaryschool", "xiaoxue"]),
    ("大学", &["university", "daxue"]),
    ("学院", &["college", "institute", "xueyuan"]),
    ("社区", &["community", "shequ"]),
    ("区", &["district", "qu"]),
    ("市", &["city", "shi", ""]),
    ("省", &["province", "sheng", ""]),
    ("县", &["county", "xian"]),
    ("桥", &["bridge", "qiao"]),
    ("站", &["station", "zhan"]),
    ("药店", &["pharmacy", "drugstore", "yaodian"]),
    ("诊所", &["clinic", "zhensuo"]),
];

/// Pinyin spellings that English writes differently.
const PINYIN_EXONYMS: &[(&str, &str)] = &[("haerbin", "harbin"), ("heilongjiang", "heilongjiang")];

/// The searchable forms of one entity's names.
#[derive(Debug, Default)]
pub(crate) struct NameForms {
    /// Normalized Chinese keys with a quality (1 = the name itself).
    pub zh: Vec<(String, f32)>,
    /// Concatenated Latin keys with a quality.
    pub latin: Vec<(String, f32)>,
}

impl NameForms {
    fn push_zh(&mut self, key: String, q: f32) {
        if key.chars().count() >= 2 && !self.zh.iter().any(|(k, _)| *k == key) {
            self.zh.push((key, q));
        }
    }

    fn push_latin(&mut self, key: String, q: f32) {
        if key.len() >= 3 && !self.latin.iter().any(|(k, _)| *k == key) {
            self.latin.push((key, q));
        }
    }
}

/// Splits `红军街 - Hongjun Street` or `闽江小学 (Minjiang)` into its Chinese and Latin parts.
pub(crate) fn split_bilingual(name: &str) -> (Vec<String>, Vec<String>) {
    let mut zh = Vec::new();
    let mut latin = Vec::new();
    if !has_cjk(name) {
        // "Fort McHenry Tunnel (Bore 2)" is one Latin name.
        if name.chars().any(|c| c.is_ascii_alphabetic()) {
            latin.push(name.trim().to_string());
        }
        return (zh, latin);
    }
    let mut push = |text: &str| {
        let text = text.trim();
        if text.is_empty() {
        } else if has_cjk(text) {
            if !zh.iter().any(|z| z == text) {
                zh.push(text.to_string());
            }
        } else if text.chars().any(|c| c.is_ascii_alphabetic()) {
            latin.push(text.to_string());
        }
    };
    // "锦绣楼 / 第一教学楼", "红军街 - Hongjun Street": alternatives, each a name.
    for part in name.split([';', '/', '|']).flat_map(|p| p.split(" - ")) {
        // "哈尔滨商业大学（南区）": the bracket qualifies the name; it is not a name itself
        // (unless it is the Latin or Chinese translation of a name in the other script).
        let is_open = |c: char| c == '(' || c == '（';
        let is_close = |c: char| c == ')' || c == '）';
        let Some(open) = part.find(is_open) else {
            push(part);
            continue;
        };
        let main = &part[..open];
        let inner_end = part[open..].find(is_close).map_or(part.len(), |e| open + e);
        let inner = part[open..inner_end].trim_start_matches(is_open);
        let after = part
            .get(inner_end..)
            .unwrap_or("")
            .trim_start_matches(is_close);
        push(part);
        push(&format!("{main}{after}"));
        if has_cjk(main) != has_cjk(inner) {
            push(inner);
        }
    }
    (zh, latin)
}

/// The Latin key of a name or query part: its tokens concatenated.
pub(crate) fn latin_key(text: &str) -> String {
    latin_tokens(text)
        .into_iter()
        .filter_map(|t| match t {
            LatinToken::Word(w) => Some(w),
            LatinToken::Number(n) => Some(n),
            LatinToken::Comma => None,
        })
        .collect()
}

/// The canonical Latin street key used to join addresses to streets: expanded words with
/// spaces (`e baltimore st` → `east baltimore street`).
pub(crate) fn latin_street_key(text: &str) -> String {
    latin_tokens(text)
        .into_iter()
        .filter_map(|t| match t {
            LatinToken::Word(w) => Some(w),
            LatinToken::Number(n) => Some(n),
            LatinToken::Comma => None,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The key addresses and streets are joined on: Chinese part normalized, else Latin words.
pub(crate) fn street_key(name: &str) -> String {
    let (zh, latin) = split_bilingual(name);
    if let Some(z) = zh.last() {
        normalize_zh(z)
    } else if let Some(l) = latin.first() {
        latin_street_key(l)
    } else {
        String::new()
    }
}

/// Every searchable form of a set of names. `admin_prefixes` are normalized city/district
/// names that a POI name may start with (`哈尔滨市光华中学` is also `光华中学`).
pub(crate) fn forms<'a>(
    names: impl Iterator<Item = (&'a str, bool)>,
    admin_prefixes: &[String],
) -> NameForms {
    let mut f = NameForms::default();
    for (name, is_main) in names {
        let base_q = if is_main { 1.0 } else { 0.95 };
        let (zh, latin) = split_bilingual(name);
        for z in zh {
            let n = normalize_zh(&z);
            add_zh(&mut f, &n, base_q, admin_prefixes);
        }
        for l in latin {
            let key = latin_key(&l);
            f.push_latin(key.clone(), base_q);
            // "East Baltimore Street" is also written "Baltimore Street"; "Saint Paul" as "St".
            let toks: Vec<String> = latin_street_key(&l)
                .split(' ')
                .map(str::to_string)
                .collect();
            if toks.len() > 2 && matches!(toks[0].as_str(), "north" | "south" | "east" | "west") {
                f.push_latin(toks[1..].concat(), base_q * 0.85);
            }
            if toks.first().is_some_and(|t| t == "saint") {
                f.push_latin(format!("street{}", toks[1..].concat()), base_q);
            }
        }
    }
    f
}

fn add_zh(f: &mut NameForms, n: &str, q: f32, admin_prefixes: &[String]) {
    if n.is_empty() {
        return;
    }
    f.push_zh(n.to_string(), q);
    add_pinyin(f, n, q * 0.97);
    for p in admin_prefixes {
        if let Some(rest) = n.strip_prefix(p.as_str())
            && rest.chars().count() >= 2
        {
            f.push_zh(rest.to_string(), q * 0.95);
            add_pinyin(f, rest, q * 0.93);
        }
    }
    // "哈尔滨市光华中学" is also "光华中学", even where the data does not name the city.
    let chars: Vec<char> = n.chars().collect();
    for k in 2..=3 {
        if chars.len() >= k + 4
            && matches!(chars[k], '市' | '省')
            && chars[k + 1] != '场'
            && !admin_prefixes.iter().any(|p| n.starts_with(p.as_str()))
        {
            let rest: String = chars[k + 1..].iter().collect();
            f.push_zh(rest.clone(), q * 0.93);
            add_pinyin(f, &rest, q * 0.9);
        }
    }
    if let Some(rest) = n.strip_suffix("小区")
        && rest.chars().count() >= 2
    {
        f.push_zh(rest.to_string(), q * 0.9);
    }
}

fn add_pinyin(f: &mut NameForms, n: &str, q: f32) {
    let full = pinyin_key(n);
    f.push_latin(full.clone(), q);
    if full.chars().any(|c| c.is_ascii_digit()) {
        // "宝宇珑湾一号" was normalized to "...1号"; pinyin readers write "yihao".
        const DIGITS: [&str; 10] = [
            "ling", "yi", "er", "san", "si", "wu", "liu", "qi", "ba", "jiu",
        ];
        let spelled: String = full
            .chars()
            .map(|c| match c.to_digit(10) {
                Some(d) => DIGITS[d as usize].to_string(),
                None => c.to_string(),
            })
            .collect();
        f.push_latin(spelled, q * 0.97);
    }
    for (from, to) in PINYIN_EXONYMS {
        if full.contains(from) {
            f.push_latin(full.replace(from, to), q);
        }
    }
    for (suffix, english) in SUFFIXES {
        if let Some(core) = n.strip_suffix(suffix)
            && !core.is_empty()
        {
            let core_py = pinyin_key(core);
            for (i, e) in english.iter().enumerate() {
                // The usual translation first; looser ones (路 as "street") rank lower.
                let qe = if i == 0 { q * 0.98 } else { q * 0.9 };
                f.push_latin(format!("{core_py}{e}"), qe);
                if core_py.contains("haerbin") {
                    f.push_latin(format!("{}{e}", core_py.replace("haerbin", "harbin")), qe);
                }
            }
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bilingual_names_split() {
        let (zh, latin) = split_bilingual("红军街 - Hongjun Street");
        assert_eq!(zh, vec!["红军街"]);
        assert_eq!(latin, vec!["Hongjun Street"]);
        let (zh, _) = split_bilingual("哈尔滨商业大学（南区）");
        assert_eq!(zh, vec!["哈尔滨商业大学（南区）", "哈尔滨商业大学"]);
        let (zh, latin) = split_bilingual("闽江小学 (Minjiang)");
        assert_eq!(zh, vec!["闽江小学 (Minjiang)", "闽江小学"]);
        assert_eq!(latin, vec!["Minjiang"]);
        assert_eq!(street_key("红军街 - Hongjun Street"), "红军街");
        assert_eq!(street_key("E Baltimore St"), "east baltimore street");
    }

    #[test]
    fn forms_cover_pinyin_english_and_prefixes() {
        let admin = vec!["哈尔滨市".to_string()];
        let f = forms([("哈尔滨市光华中学", true)].into_iter(), &admin);
        let zh: Vec<&str> = f.zh.iter().map(|(k, _)| k.as_str()).collect();
        assert!(zh.contains(&"光华中学"), "{zh:?}");
        let latin: Vec<&str> = f.latin.iter().map(|(k, _)| k.as_str()).collect();
        assert!(latin.contains(&"guanghuamiddleschool"), "{latin:?}");
        assert!(
            latin.contains(&"harbinshiguanghuazhongxue")
                || latin.contains(&"haerbinshiguanghuazhongxue")
        );
        let f = forms([("巴山街", true)].into_iter(), &[]);
        let latin: Vec<&str> = f.latin.iter().map(|(k, _)| k.as_str()).collect();
        assert!(latin.contains(&"bashanstreet") && latin.contains(&"bashanjie"));
        let f = forms([("East Fort Avenue", true)].into_iter(), &[]);
        let latin: Vec<&str> = f.latin.iter().map(|(k, _)| k.as_str()).collect();
        assert!(latin.contains(&"eastfortavenue") && latin.contains(&"fortavenue"));
    }
}

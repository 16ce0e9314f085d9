//! Parsing the parts of a Chinese address around the name: what follows it (building `栋`,
//! unit `单元`, floor `层`, room `室`/`户`, house number `号`), intersections (`A与B交口`), and
//! prefixes of cities the data does not cover.

/// What follows a name: `3栋2单元501`, `32号`, `东门`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tail {
    /// `32号` or a bare number right after the name: a house number on a street, a building
    /// in a compound.
    pub number: Option<String>,
    /// `3栋`, `3号楼`, `3幢`, `a座`.
    pub building: Option<String>,
    pub unit: Option<String>,
    pub floor: Option<String>,
    pub room: Option<String>,
    /// Words that refine a place without moving it much (`东门`, `附近`, `对面`).
    pub qualifier: Option<String>,
    /// Characters the grammar could not place.
    pub unexplained: usize,
}

const QUALIFIERS: &[&str] = &[
    "东门",
    "西门",
    "南门",
    "北门",
    "正门",
    "大门",
    "后门",
    "侧门",
    "门口",
    "门前",
    "附近",
    "对面",
    "旁边",
    "旁",
    "院内",
    "院",
    "内",
    "里",
    "小区",
    "社区",
    "楼下",
    "门卫",
    "收发室",
    "一楼",
];

fn digits_at(chars: &[char], i: usize) -> usize {
    let mut j = i;
    while j < chars.len() && chars[j].is_ascii_digit() {
        j += 1;
    }
    // A sub-number ("10-2") belongs to the number.
    if j > i && j + 1 < chars.len() && chars[j] == '-' && chars[j + 1].is_ascii_digit() {
        j += 1;
        while j < chars.len() && chars[j].is_ascii_digit() {
            j += 1;
        }
    }
    j - i
}

fn starts_with(chars: &[char], i: usize, s: &str) -> bool {
    (i..).zip(s.chars()).all(|(k, c)| chars.get(k) == Some(&c))
}

/// Parses the text after a name. Never fails: what it cannot place is counted in
/// `unexplained`.
pub(crate) fn parse_tail(chars: &[char]) -> Tail {
    let mut t = Tail::default();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '第' {
            i += 1;
            continue;
        }
        let n = digits_at(chars, i);
        // A letter block name: "a座", "b3栋", "c区".
        let letter = n == 0
            && chars[i].is_ascii_alphabetic()
            && (chars
                .get(i + 1)
                .is_some_and(|c| matches!(c, '座' | '栋' | '幢' | '区'))
                || chars.get(i + 1).is_some_and(|c| c.is_ascii_digit()));
        if n > 0 || letter {
            let (num_start, num_len) = if letter {
                (i, 1 + digits_at(chars, i + 1))
            } else {
                (i, n)
            };
            let num: String = chars[num_start..num_start + num_len].iter().collect();
            let j = num_start + num_len;
            let next = chars.get(j).copied();
            let mut advance = 1;
            match next {
                Some('号') if starts_with(chars, j, "号楼") => {
                    t.building = Some(num);
                    advance = 2;
                }
                Some('号') if starts_with(chars, j, "号院") => {
                    t.qualifier = Some(format!("{num}号院"));
                    advance = 2;
                }
                Some('栋' | '幢' | '座' | '#') => t.building = Some(num),
                Some('单') if starts_with(chars, j, "单元") => {
                    t.unit = Some(num);
                    advance = 2;
                }
                Some('门') => t.unit = Some(num),
                Some('层') => t.floor = Some(num),
                Some('楼') => {
                    if t.building.is_none() && t.number.is_none() {
                        t.building = Some(num);
                    } else {
                        t.floor = Some(num);
                    }
                }
                Some('室' | '户') => t.room = Some(num),
                Some('号') => {
                    if t.number.is_none() && t.building.is_none() && t.unit.is_none() {
                        t.number = Some(num);
                    } else {
                        t.room = Some(num);
                    }
                }
                Some('区') => t.qualifier = Some(format!("{num}区")),
                _ => {
                    // A bare number: the house/building number first, then the room.
                    advance = 0;
                    if t.number.is_none()
                        && t.building.is_none()
                        && t.unit.is_none()
                        && t.room.is_none()
                    {
                        t.number = Some(num);
                    } else {
                        t.room = Some(num);
                    }
                }
            }
            i = j + advance;
            continue;
        }
        if let Some(q) = QUALIFIERS.iter().find(|q| starts_with(chars, i, q)) {
            t.qualifier = Some(q.to_string());
            i += q.chars().count();
            continue;
        }
        t.unexplained += 1;
        i += 1;
    }
    t
}

/// Where a tail starts in `chars` when the name before it is unknown: the first position from
/// which the rest parses with nothing unexplained (and at least one number in it).
pub(crate) fn tail_start(chars: &[char]) -> usize {
    for p in 1..chars.len() {
        let c = chars[p];
        if c.is_ascii_digit() || c == '第' || (c.is_ascii_alphabetic() && p + 1 < chars.len()) {
            let t = parse_tail(&chars[p..]);
            let has_number =
                t.number.is_some() || t.building.is_some() || t.unit.is_some() || t.room.is_some();
            if t.unexplained == 0 && has_number {
                return p;
            }
        }
    }
    chars.len()
}

/// Words that end an intersection (`交口`, `路口`, ...), longest first.
const JUNCTIONS: &[&str] = &[
    "十字路口",
    "丁字路口",
    "交叉路口",
    "交叉口",
    "交汇处",
    "交界处",
    "交会处",
    "路口",
    "交口",
    "口",
];

/// Words between the two streets of an intersection.
const CONNECTORS: &[char] = &['与', '和', '跟', '同', '及', '/', '、', '&', '×', 'x'];

/// The two sides of a possible intersection.
pub(crate) type Split = (Vec<char>, Vec<char>);

/// Splits `黑山街与巴山街交口` into candidate (left, right) pairs; `had_junction` says whether a
/// junction word was present (without one, a connector alone can still mean a crossing).
pub(crate) fn intersection_splits(chars: &[char]) -> (Vec<Split>, bool) {
    let mut body = chars;
    let mut had_junction = false;
    let text: String = chars.iter().collect();
    for j in JUNCTIONS {
        if text.ends_with(j) {
            body = &chars[..chars.len() - j.chars().count()];
            had_junction = true;
            break;
        }
    }
    let mut splits = Vec::new();
    for (i, c) in body.iter().enumerate() {
        if CONNECTORS.contains(c) && i >= 2 && body.len() - i > 2 {
            splits.push((body[..i].to_vec(), body[i + 1..].to_vec()));
        }
    }
    if had_junction {
        // "黑山街巴山街交口": every split with two names of at least two characters.
        for i in 2..body.len().saturating_sub(1) {
            splits.push((body[..i].to_vec(), body[i..].to_vec()));
        }
    }
    (splits, had_junction)
}

/// Provinces and large cities outside the data's area: a query that starts with one of them
/// (with its 省/市 suffix) is about another city.
pub(crate) const OTHER_PLACES: &[&str] = &[
    "北京",
    "天津",
    "上海",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "台湾",
    "内蒙古",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
    "黑龙江",
    "石家庄",
    "太原",
    "沈阳",
    "大连",
    "长春",
    "南京",
    "苏州",
    "无锡",
    "杭州",
    "宁波",
    "温州",
    "合肥",
    "福州",
    "厦门",
    "南昌",
    "济南",
    "青岛",
    "郑州",
    "武汉",
    "长沙",
    "广州",
    "深圳",
    "东莞",
    "佛山",
    "海口",
    "成都",
    "贵阳",
    "昆明",
    "西安",
    "兰州",
    "西宁",
    "呼和浩特",
    "南宁",
    "拉萨",
    "银川",
    "乌鲁木齐",
    "齐齐哈尔",
    "牡丹江",
    "佳木斯",
    "大庆",
    "鸡西",
    "双鸭山",
    "伊春",
    "七台河",
    "鹤岗",
    "黑河",
    "绥化",
    "哈尔滨",
    "唐山",
    "保定",
    "徐州",
    "常州",
    "南通",
    "扬州",
    "烟台",
    "潍坊",
    "洛阳",
    "宜昌",
    "襄阳",
    "株洲",
    "珠海",
    "汕头",
    "桂林",
    "绵阳",
    "遵义",
    "大理",
    "丽江",
    "延吉",
    "吉林市",
    "鞍山",
    "抚顺",
];

/// The length of a place prefix (`成都市`, `四川省`) at the start of `chars`, when it names a
/// province or city; `None` when it does not.
pub(crate) fn place_prefix(chars: &[char]) -> Option<(usize, String)> {
    let text: String = chars.iter().collect();
    for p in OTHER_PLACES {
        if let Some(rest) = text.strip_prefix(p) {
            let len = p.chars().count();
            let suffix = ["市", "省", "自治区", "特别行政区"]
                .iter()
                .find(|s| rest.starts_with(**s));
            return Some(match suffix {
                Some(s) => (len + s.chars().count(), format!("{p}{s}")),
                None => (len, p.to_string()),
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tail(s: &str) -> Tail {
        parse_tail(&s.chars().collect::<Vec<_>>())
    }

    #[test]
    fn compound_tails() {
        let t = tail("3栋2单元501");
        assert_eq!(t.building.as_deref(), Some("3"));
        assert_eq!(t.unit.as_deref(), Some("2"));
        assert_eq!(t.room.as_deref(), Some("501"));
        assert_eq!(t.unexplained, 0);
        let t = tail("12号楼3单元5层502室");
        assert_eq!(t.building.as_deref(), Some("12"));
        assert_eq!(t.floor.as_deref(), Some("5"));
        assert_eq!(t.room.as_deref(), Some("502"));
        let t = tail("a座1003");
        assert_eq!(t.building.as_deref(), Some("a"));
        assert_eq!(t.room.as_deref(), Some("1003"));
    }

    #[test]
    fn street_tails() {
        let t = tail("32号");
        assert_eq!(t.number.as_deref(), Some("32"));
        let t = tail("10-2号");
        assert_eq!(t.number.as_deref(), Some("10-2"));
        let t = tail("85");
        assert_eq!(t.number.as_deref(), Some("85"));
        let t = tail("32号东门");
        assert_eq!(t.qualifier.as_deref(), Some("东门"));
        assert_eq!(tail("啊啊").unexplained, 2);
    }

    #[test]
    fn tails_are_found_after_unknown_names() {
        let c: Vec<char> = "鸿翔明苑3栋2单元".chars().collect();
        assert_eq!(tail_start(&c), 4);
        let c: Vec<char> = "哈尔滨地铁1号线".chars().collect();
        assert_eq!(tail_start(&c), c.len());
    }

    #[test]
    fn intersections() {
        let c: Vec<char> = "黑山街与巴山街交口".chars().collect();
        let (s, j) = intersection_splits(&c);
        assert!(j);
        // The connector's split first, then every plain split ("振兴街和兴路交口" has a
        // street starting with 和).
        assert!(s.len() > 1);
        assert_eq!(s[0].0.iter().collect::<String>(), "黑山街");
        assert_eq!(s[0].1.iter().collect::<String>(), "巴山街");
        let c: Vec<char> = "黑山街巴山街路口".chars().collect();
        assert!(intersection_splits(&c).0.len() > 2);
    }

    #[test]
    fn other_cities() {
        let c: Vec<char> = "成都市锦江区春熙路".chars().collect();
        assert_eq!(place_prefix(&c), Some((3, "成都市".into())));
        let c: Vec<char> = "北京街".chars().collect();
        assert_eq!(place_prefix(&c), Some((2, "北京".into())));
    }
}

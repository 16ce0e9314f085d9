//! Seed data for the sample district: squads, zones and residents' requests, written the way
//! residents and building leaders really write them (`鸿翔名苑3栋2单元501`, `巴山街32号`,
//! full-width digits, traditional characters, an English street name now and then).
//!
//! Deterministic: a small fixed-seed generator picks names and items, so the committed
//! `data/seed.json` is reproducible by `doorstep gen-sample`.

use serde::{Deserialize, Serialize};

use super::district::{BuildingStyle, District, to_lonlat};

/// Everything the demo loads into a fresh database.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeedFile {
    pub squads: Vec<SeedSquad>,
    pub zones: Vec<SeedZone>,
    pub requests: Vec<SeedRequest>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeedSquad {
    pub name: String,
    pub members: Vec<String>,
    pub contact_phone: String,
    pub base_name: String,
    pub base_lon: f64,
    pub base_lat: f64,
    /// `foot`, `tricycle` or `van`.
    pub travel_mode: String,
    pub capacity_items: i32,
    pub skills: Vec<String>,
    /// Local time, `HH:MM`.
    pub shift_start: String,
    pub shift_end: String,
    pub communities: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeedZone {
    pub name: String,
    /// `high_risk`, `controlled` or `precaution`.
    pub kind: String,
    /// Outer ring, (lon, lat) degrees, closed.
    pub polygon: Vec<(f64, f64)>,
    pub checkpoint: Option<(f64, f64)>,
    pub notes: String,
}

/// A request as a resident or building leader would file it through the form or the API.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeedRequest {
    pub resident_name: String,
    pub phone: String,
    pub address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub building: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
    pub household_size: i32,
    pub category: String,
    pub items: Vec<SeedItem>,
    pub urgency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_until: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    pub filed_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filer_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filer_phone: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeedItem {
    pub name: String,
    pub quantity: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// splitmix64: tiny, fixed forever, so the seed does not change with a crate's version.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

const SURNAMES: [&str; 16] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
];
const GIVEN: [&str; 16] = [
    "桂兰", "建国", "秀英", "玉梅", "志强", "淑珍", "海燕", "德明", "丽华", "国华", "春梅", "晓东",
    "凤英", "立新", "雪梅", "宏伟",
];

fn phone(rng: &mut Rng) -> String {
    let prefix = rng.pick(&["139", "138", "158", "186", "135", "187", "152", "131"]);
    format!("{prefix}{:08}", rng.next() % 100_000_000)
}

fn person(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(&SURNAMES), rng.pick(&GIVEN))
}

fn item(name: &str, quantity: i32, unit: &str) -> SeedItem {
    SeedItem {
        name: name.into(),
        quantity,
        unit: Some(unit.into()),
    }
}

/// (category, urgency, items, notes) typical of each kind of need.
fn need(
    rng: &mut Rng,
) -> (
    &'static str,
    &'static str,
    Vec<SeedItem>,
    Option<&'static str>,
) {
    match rng.below(20) {
        0..=7 => {
            let meds: [(&str, &str); 6] = [
                ("硝苯地平控释片", "盒"),
                ("二甲双胍片", "盒"),
                ("胰岛素笔芯", "支"),
                ("阿司匹林肠溶片", "盒"),
                ("布洛芬缓释胶囊", "盒"),
                ("奥氮平片", "盒"),
            ];
            let (m, u) = *rng.pick(&meds);
            let urgency = if m.starts_with("胰岛素") || m.starts_with("奥氮平") {
                "extremely_urgent"
            } else {
                "urgent"
            };
            let notes = rng.pick(&[
                None,
                Some("药快吃完了，只剩一天的量"),
                Some("老人独居，请打电话后敲门"),
            ]);
            (
                "medicine",
                urgency,
                vec![item(m, 1 + rng.below(3) as i32, u)],
                *notes,
            )
        }
        8..=14 => {
            let foods: [(&str, &str); 7] = [
                ("大米", "袋"),
                ("鸡蛋", "个"),
                ("挂面", "把"),
                ("白菜", "棵"),
                ("土豆", "斤"),
                ("牛奶", "箱"),
                ("食用油", "桶"),
            ];
            let n = 1 + rng.below(3);
            let mut items: Vec<SeedItem> = Vec::new();
            for _ in 0..n {
                let (f, u) = *rng.pick(&foods);
                if items.iter().all(|i| i.name != f) {
                    let q = if f == "鸡蛋" {
                        30
                    } else {
                        1 + rng.below(4) as i32
                    };
                    items.push(item(f, q, u));
                }
            }
            ("food", "normal", items, None)
        }
        15..=17 => {
            let items = vec![
                item("婴儿奶粉（1段）", 2, "罐"),
                item("纸尿裤 M码", 1, "包"),
            ];
            (
                "infant_supplies",
                "urgent",
                items,
                Some("宝宝5个月，奶粉只够明天"),
            )
        }
        18 => (
            "medical_emergency",
            "extremely_urgent",
            vec![item("透析接送", 1, "次")],
            Some("每周二、五透析，需要闭环转运"),
        ),
        _ => (
            "other",
            "normal",
            vec![item("体温计", 1, "支"), item("抗原检测试剂", 5, "份")],
            None,
        ),
    }
}

/// Address forms: how people write a compound address.
fn compound_address(rng: &mut Rng, compound: &str, building: u32, style: BuildingStyle) -> String {
    let unit = 1 + rng.below(4);
    let room = format!("{}0{}", 1 + rng.below(6), 1 + rng.below(2));
    match rng.below(8) {
        0 => format!(
            "雪城市松岚区{compound}{}{unit}单元{room}",
            style.label(building)
        ),
        1 => format!("{compound} {building}号楼 {unit}单元 {room}室"),
        2 => format!("{compound}{}栋{unit}-{room}", full_width(building)),
        3 => format!("松嵐區{compound}{}{unit}单元{room}", style.label(building)),
        _ => format!("{compound}{}{unit}单元{room}", style.label(building)),
    }
}

fn full_width(n: u32) -> String {
    n.to_string()
        .chars()
        .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap_or(c))
        .collect()
}

/// Builds the seed for a generated district.
pub fn generate(district: &District) -> SeedFile {
    let mut rng = Rng(0x5EED_D00E_57E9_2022);
    SeedFile {
        squads: squads(&mut rng),
        zones: zones(district),
        requests: requests(&mut rng, district),
    }
}

fn squads(rng: &mut Rng) -> Vec<SeedSquad> {
    // (name, base, base position in local metres, mode, capacity, skills, communities)
    type Spec = (
        &'static str,
        &'static str,
        (f64, f64),
        &'static str,
        i32,
        &'static [&'static str],
        &'static [&'static str],
    );
    let specs: [Spec; 6] = [
        (
            "第一小分队",
            "奋进街道办事处",
            (990.0, 420.0),
            "foot",
            40,
            &["protective_gear"],
            &["鸿翔社区"],
        ),
        (
            "第二小分队",
            "鸿翔社区居委会",
            (230.0, 40.0),
            "tricycle",
            120,
            &[],
            &["鸿翔社区", "士课社区"],
        ),
        (
            "第三小分队",
            "国庆社区居委会",
            (1230.0, 40.0),
            "tricycle",
            120,
            &["protective_gear", "medical"],
            &["国庆社区"],
        ),
        (
            "第四小分队",
            "士课社区居委会",
            (730.0, 840.0),
            "foot",
            40,
            &[],
            &["士课社区"],
        ),
        (
            "第五小分队",
            "黑山社区居委会",
            (1230.0, 840.0),
            "van",
            400,
            &["heavy_goods"],
            &["黑山社区", "国庆社区"],
        ),
        (
            "第六小分队",
            "和兴街道办事处",
            (1010.0, 1180.0),
            "tricycle",
            100,
            &["medical"],
            &["黑山社区", "士课社区"],
        ),
    ];
    specs
        .iter()
        .map(
            |(name, base, (x, y), mode, capacity, skills, communities)| {
                let (lon, lat) = to_lonlat(*x, *y);
                SeedSquad {
                    name: (*name).into(),
                    members: (0..4).map(|_| person(rng)).collect(),
                    contact_phone: phone(rng),
                    base_name: (*base).into(),
                    base_lon: round7(lon),
                    base_lat: round7(lat),
                    travel_mode: (*mode).into(),
                    capacity_items: *capacity,
                    skills: skills.iter().map(|s| s.to_string()).collect(),
                    shift_start: "08:00".into(),
                    shift_end: "20:00".into(),
                    communities: communities.iter().map(|s| s.to_string()).collect(),
                }
            },
        )
        .collect()
}

fn round7(deg: f64) -> f64 {
    (deg * 1e7).round() / 1e7
}

fn zones(district: &District) -> Vec<SeedZone> {
    let ring = |pts: &[(f64, f64)]| {
        pts.iter()
            .map(|&(x, y)| to_lonlat(x, y))
            .map(|(a, b)| (round7(a), round7(b)))
            .collect()
    };
    let (cx, cy) = district.high_risk_checkpoint;
    vec![
        SeedZone {
            name: "巴山街32号高风险区".into(),
            kind: "high_risk".into(),
            polygon: district
                .high_risk_polygon
                .iter()
                .map(|&(a, b)| (round7(a), round7(b)))
                .collect(),
            checkpoint: Some((round7(cx), round7(cy))),
            notes: "封控楼栋，不得进入。物资在巴山街32号卡口交接，须穿防护服。".into(),
        },
        SeedZone {
            name: "鸿翔名苑管控区".into(),
            kind: "controlled".into(),
            polygon: ring(&[
                (15.0, 15.0),
                (485.0, 15.0),
                (485.0, 385.0),
                (15.0, 385.0),
                (15.0, 15.0),
            ]),
            checkpoint: None,
            notes: "足不出户，物资送到单元门口。".into(),
        },
        SeedZone {
            name: "黑山社区防范区".into(),
            kind: "precaution".into(),
            polygon: ring(&[
                (1000.0, 800.0),
                (2000.0, 800.0),
                (2000.0, 1200.0),
                (1000.0, 1200.0),
                (1000.0, 800.0),
            ]),
            checkpoint: None,
            notes: "人不出区，严禁聚集。".into(),
        },
    ]
}

fn requests(rng: &mut Rng, district: &District) -> Vec<SeedRequest> {
    let mut out = Vec::new();
    for i in 0..48 {
        let (category, urgency, items, notes) = need(rng);
        let resident_name = person(rng);
        let resident_phone = phone(rng);
        let mut r = SeedRequest {
            resident_name,
            phone: resident_phone,
            address: String::new(),
            building: None,
            unit: None,
            room: None,
            household_size: 1 + rng.below(5) as i32,
            category: category.into(),
            items,
            urgency: urgency.into(),
            available_from: None,
            available_until: None,
            notes: notes.map(str::to_string),
            filed_by: "resident".into(),
            filer_name: None,
            filer_phone: None,
        };
        match i % 12 {
            // The sealed building: its residents write the street number.
            0 => {
                r.address = format!("巴山街32号{}号楼", 1 + rng.below(4));
                r.unit = Some(format!("{}单元", 1 + rng.below(2)));
                r.room = Some(format!("{}0{}", 1 + rng.below(6), 1 + rng.below(2)));
            }
            // The example everyone quotes.
            3 if i == 3 => {
                r.address = "鸿翔名苑3栋2单元501".into();
            }
            // Intersections and landmarks.
            5 => {
                r.address = rng
                    .pick(&[
                        "黑山街与国庆路交口东北角",
                        "学府路小学对面",
                        "红军街和学府路路口",
                        "Hongjun Street & Bashan Street",
                    ])
                    .to_string();
            }
            // Building fields typed separately.
            7 => {
                let c = rng.pick(&district.compounds);
                r.address = c.name.into();
                r.building = Some(c.style.label(1 + rng.below(c.buildings as usize) as u32));
                r.unit = Some(format!("{}", 1 + rng.below(4)));
                r.room = Some(format!("{}02", 1 + rng.below(6)));
            }
            _ => {
                let c = rng.pick(&district.compounds);
                let building = 1 + rng.below(c.buildings as usize) as u32;
                r.address = compound_address(rng, c.name, building, c.style);
            }
        }
        if i % 3 == 1 {
            r.filed_by = rng
                .pick(&["building_leader", "neighbour", "volunteer"])
                .to_string();
            r.filer_name = Some(person(rng));
            r.filer_phone = Some(phone(rng));
        }
        if i % 4 == 2 {
            r.available_from = Some("09:00".into());
            r.available_until = Some("17:30".into());
        }
        out.push(r);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_is_reproducible_and_addresses_exist() {
        let d = super::super::district::generate();
        let a = generate(&d);
        let b = generate(&d);
        assert_eq!(a, b);
        assert_eq!(a.requests.len(), 48);
        assert!(
            a.requests
                .iter()
                .any(|r| r.address.starts_with("巴山街32号"))
        );
        assert!(a.requests.iter().any(|r| r.address.contains('栋')));
        assert!(a.requests.iter().any(|r| r.address.contains("号楼")));
        assert!(a.requests.iter().any(|r| r.filed_by != "resident"));
        assert_eq!(a.zones[0].kind, "high_risk");
        assert!(a.zones[0].checkpoint.is_some());
    }

    #[test]
    fn full_width_digits() {
        assert_eq!(full_width(12), "１２");
    }
}

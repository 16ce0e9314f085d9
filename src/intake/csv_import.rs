//! CSV import of a building leader's sign-up list (接龙 exported from a spreadsheet).
//!
//! Row by row: every row is validated on its own; good rows are stored, bad rows are reported
//! with their line number and reason and change nothing. Importing the same file again stores
//! nothing twice (each row's idempotency key is a hash of its content).
//!
//! Encoding: UTF-8 (with or without BOM) and UTF-16 with BOM are read as they are; anything
//! else is tried as GB18030 (a superset of GBK, what Chinese Excel writes by default). A file
//! that is neither is refused with a message saying how to save it.

use std::collections::HashMap;

use sha1::{Digest, Sha1};

use super::{ItemInput, RequestInput};

/// Columns, each with the header names accepted for it (Chinese first).
const COLUMNS: &[(&str, &[&str])] = &[
    (
        "resident_name",
        &["姓名", "居民姓名", "name", "resident_name"],
    ),
    ("phone", &["电话", "手机", "联系电话", "phone"]),
    ("address", &["地址", "住址", "address"]),
    ("building", &["楼栋", "楼号", "building"]),
    ("unit", &["单元", "unit"]),
    ("room", &["房号", "门牌", "室", "room"]),
    ("household_size", &["人数", "户人数", "household_size"]),
    ("category", &["类别", "需求类别", "category"]),
    ("items", &["物品", "需求物品", "需求", "items"]),
    ("urgency", &["紧急程度", "urgency"]),
    ("available", &["可收货时间", "在家时间", "available"]),
    ("notes", &["备注", "notes"]),
];

const REQUIRED: &[&str] = &["resident_name", "phone", "address", "items"];

/// Why a whole file was refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CsvError {
    #[error(
        "the file is neither UTF-8 nor GBK/GB18030 text (byte {offset}); save it from the spreadsheet as \"CSV UTF-8\""
    )]
    Encoding { offset: usize },
    #[error("the file is empty")]
    Empty,
    #[error("line 1: unknown column `{column}`; the columns are: {known}")]
    UnknownColumn { column: String, known: String },
    #[error("line 1: the column `{column}` appears twice")]
    DuplicateColumn { column: String },
    #[error(
        "line 1: missing column(s) {missing}; required are 姓名, 电话, 地址, 物品 (or name, phone, address, items)"
    )]
    MissingColumns { missing: String },
    #[error("line {line}: {message}")]
    Malformed { line: u64, message: String },
}

/// A parsed file: the encoding found and one entry per data row.
#[derive(Debug)]
pub struct CsvFile {
    /// `UTF-8`, `UTF-8 (BOM)`, `UTF-16LE`, `UTF-16BE` or `GB18030`.
    pub encoding: &'static str,
    pub rows: Vec<CsvRow>,
}

/// One data row: its line in the file (1 = the header) and the request it asks for, or why
/// the row could not even be read.
#[derive(Debug)]
pub struct CsvRow {
    pub line: u64,
    pub input: Result<RequestInput, String>,
}

/// Bytes → text, detecting the encoding.
pub fn decode(bytes: &[u8]) -> Result<(String, &'static str), CsvError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(|s| (s.to_owned(), "UTF-8 (BOM)"))
            .map_err(|e| CsvError::Encoding {
                offset: e.valid_up_to() + 3,
            });
    }
    for (bom, enc, name) in [
        (&b"\xFF\xFE"[..], encoding_rs::UTF_16LE, "UTF-16LE"),
        (&b"\xFE\xFF"[..], encoding_rs::UTF_16BE, "UTF-16BE"),
    ] {
        if bytes.starts_with(bom) {
            let (text, had_errors) = enc.decode_without_bom_handling(&bytes[2..]);
            if had_errors {
                return Err(CsvError::Encoding { offset: 2 });
            }
            return Ok((text.into_owned(), name));
        }
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok((s.to_owned(), "UTF-8")),
        Err(utf8_error) => {
            let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
            if had_errors {
                Err(CsvError::Encoding {
                    offset: utf8_error.valid_up_to(),
                })
            } else {
                Ok((text.into_owned(), "GB18030"))
            }
        }
    }
}

/// Reads a sign-up list. Whole-file problems (encoding, header) are errors; row problems are
/// kept per row.
pub fn parse(bytes: &[u8]) -> Result<CsvFile, CsvError> {
    let (text, encoding) = decode(bytes)?;
    if text.trim().is_empty() {
        return Err(CsvError::Empty);
    }
    let delimiter = if text
        .lines()
        .next()
        .is_some_and(|h| h.contains('\t') && !h.contains(','))
    {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| CsvError::Malformed {
            line: 1,
            message: e.to_string(),
        })?
        .clone();
    let mut index: HashMap<&'static str, usize> = HashMap::new();
    for (i, raw) in header.iter().enumerate() {
        let name = raw.trim().trim_start_matches('\u{FEFF}').to_lowercase();
        if name.is_empty() {
            continue;
        }
        let Some((column, _)) = COLUMNS
            .iter()
            .find(|(_, names)| names.iter().any(|n| *n == name))
        else {
            return Err(CsvError::UnknownColumn {
                column: raw.trim().to_owned(),
                known: COLUMNS
                    .iter()
                    .map(|(_, names)| names.join("/"))
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        if index.insert(column, i).is_some() {
            return Err(CsvError::DuplicateColumn {
                column: raw.trim().to_owned(),
            });
        }
    }
    let missing: Vec<&str> = REQUIRED
        .iter()
        .filter(|c| !index.contains_key(*c))
        .copied()
        .collect();
    if !missing.is_empty() {
        return Err(CsvError::MissingColumns {
            missing: missing.join(", "),
        });
    }

    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| line_of(&text, p.byte()));
                rows.push(CsvRow {
                    line,
                    input: Err(format!("unreadable CSV: {e}")),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| line_of(&text, p.byte()));
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() > header.len()
            && record
                .iter()
                .skip(header.len())
                .any(|f| !f.trim().is_empty())
        {
            rows.push(CsvRow {
                line,
                input: Err(format!(
                    "{} fields, but the header has {}",
                    record.len(),
                    header.len()
                )),
            });
            continue;
        }
        let get = |column: &str| -> Option<String> {
            index
                .get(column)
                .and_then(|&i| record.get(i))
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
        };
        rows.push(CsvRow {
            line,
            input: row_to_input(&get),
        });
    }
    Ok(CsvFile { encoding, rows })
}

/// The 1-based line of a byte offset (the csv crate's own count skips blank lines).
/// A record's position can point at blank lines before it: those are skipped first.
fn line_of(text: &str, byte: u64) -> u64 {
    let bytes = text.as_bytes();
    let mut end = (byte as usize).min(bytes.len());
    while end < bytes.len() && matches!(bytes[end], b'\n' | b'\r') {
        end += 1;
    }
    1 + bytes[..end].iter().filter(|&&b| b == b'\n').count() as u64
}

fn row_to_input(get: &dyn Fn(&str) -> Option<String>) -> Result<RequestInput, String> {
    let household_size = match get("household_size") {
        None => 1,
        Some(s) => super::to_half_width(&s)
            .trim_end_matches('人')
            .trim()
            .parse::<i64>()
            .map_err(|_| format!("人数 / household_size `{s}` is not a number"))?,
    };
    let (available_from, available_until) = match get("available") {
        None => (None, None),
        Some(s) => {
            let s = super::to_half_width(&s).replace('：', ":");
            let mut parts = s.split(['-', '~', '至', '到']).map(str::trim);
            match (parts.next(), parts.next(), parts.next()) {
                (Some(a), Some(b), None) => (Some(a.to_owned()), Some(b.to_owned())),
                _ => {
                    return Err(format!(
                        "可收货时间 / available `{s}`: write it as 09:00-17:30"
                    ));
                }
            }
        }
    };
    Ok(RequestInput {
        resident_name: get("resident_name").unwrap_or_default(),
        phone: get("phone").unwrap_or_default(),
        address: get("address").unwrap_or_default(),
        building: get("building"),
        unit: get("unit"),
        room: get("room"),
        household_size,
        category: get("category")
            .map(|c| category_code(&c))
            .unwrap_or_else(|| "other".into()),
        items: get("items").map(|s| parse_items(&s)).unwrap_or_default(),
        urgency: get("urgency").map(|u| urgency_code(&u)),
        available_from,
        available_until,
        notes: get("notes"),
        filed_by: None,
        filer_name: None,
        filer_phone: None,
        idempotency_key: None,
    })
}

/// Chinese labels as people type them → codes; anything else is passed on for validation to
/// refuse by name.
fn category_code(s: &str) -> String {
    match s.trim() {
        "药品" | "药" | "买药" | "药物" => "medicine",
        "食品" | "食物" | "生活物资" | "蔬菜" | "粮油" => "food",
        "母婴" | "母婴用品" | "婴儿用品" | "奶粉" => "infant_supplies",
        "急症" | "就医" | "急诊" | "透析" => "medical_emergency",
        "其他" | "其它" => "other",
        other => return other.to_lowercase(),
    }
    .into()
}

fn urgency_code(s: &str) -> String {
    match s.trim() {
        "极紧急" | "特急" | "非常紧急" => "extremely_urgent",
        "紧急" | "急" => "urgent",
        "较急" | "一般" | "普通" | "不急" => "normal",
        other => return other.to_lowercase(),
    }
    .into()
}

/// `大米 1袋；鸡蛋30个、挂面×2` → items. A piece without a number is one of it.
pub fn parse_items(cell: &str) -> Vec<ItemInput> {
    cell.split([';', '；', '、', ',', '，', '\n', '/'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|piece| {
            let piece = super::to_half_width(piece);
            // The last run of digits is the quantity.
            let chars: Vec<char> = piece.chars().collect();
            let Some(end) = chars.iter().rposition(|c| c.is_ascii_digit()) else {
                return ItemInput {
                    name: piece.trim().to_owned(),
                    quantity: 1,
                    unit: None,
                };
            };
            let start = chars[..=end]
                .iter()
                .rposition(|c| !c.is_ascii_digit())
                .map_or(0, |i| i + 1);
            let digits: String = chars[start..=end].iter().collect();
            let name: String = chars[..start].iter().collect();
            let name = name
                .trim()
                .trim_end_matches(['×', 'x', 'X', '*', ':', '：'])
                .trim()
                .to_owned();
            let unit: String = chars[end + 1..]
                .iter()
                .collect::<String>()
                .trim()
                .to_owned();
            if name.is_empty() {
                // `2盒降压药`: the number came first, then a measure word, then the name.
                let mut rest = unit.chars();
                let (unit, name) = match rest.next() {
                    Some(m) if MEASURE_WORDS.contains(m) && rest.clone().next().is_some() => {
                        (Some(m.to_string()), rest.as_str().trim().to_owned())
                    }
                    _ => (None, unit.clone()),
                };
                return ItemInput {
                    name,
                    quantity: digits.parse().unwrap_or(i64::MAX),
                    unit,
                };
            }
            ItemInput {
                name,
                quantity: digits.parse().unwrap_or(i64::MAX),
                unit: (!unit.is_empty()).then_some(unit),
            }
        })
        .collect()
}

/// Measure words that may follow a leading number (`2盒降压药`).
const MEASURE_WORDS: &str = "盒袋个支瓶包罐斤箱把桶份片板";

/// A stable idempotency key for a row: the same row imported twice is stored once.
pub fn row_key(input: &RequestInput) -> String {
    let mut h = Sha1::new();
    let json = serde_json::to_string(input).unwrap_or_default();
    h.update(json.as_bytes());
    let digest = h.finalize();
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("csv-{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "姓名,电话,地址,人数,类别,物品,紧急程度,备注\n";

    #[test]
    fn reads_a_utf8_list() {
        let csv = format!(
            "{HEADER}王桂兰,13945678901,鸿翔名苑3栋2单元501,2,药品,硝苯地平 2盒；胰岛素1支,极紧急,\n\n李建国,13800001111,国庆家园5号楼1单元302,3,食品,大米×1、鸡蛋30个,,\n"
        );
        let f = parse(csv.as_bytes()).unwrap();
        assert_eq!(f.encoding, "UTF-8");
        assert_eq!(f.rows.len(), 2);
        let first = f.rows[0].input.as_ref().unwrap();
        assert_eq!(f.rows[0].line, 2);
        assert_eq!(first.category, "medicine");
        assert_eq!(first.urgency.as_deref(), Some("extremely_urgent"));
        assert_eq!(first.items.len(), 2);
        assert_eq!(first.items[0].quantity, 2);
        assert_eq!(first.items[0].unit.as_deref(), Some("盒"));
        assert_eq!(f.rows[1].line, 4, "the blank line counts");
        let second = f.rows[1].input.as_ref().unwrap();
        assert_eq!(second.items[1].name, "鸡蛋");
        assert_eq!(second.items[1].quantity, 30);
    }

    #[test]
    fn detects_gbk() {
        let csv = format!("{HEADER}王桂兰,13945678901,鸿翔名苑3栋,1,食品,大米1袋,,\n");
        let (gbk, _, _) = encoding_rs::GBK.encode(&csv);
        let f = parse(&gbk).unwrap();
        assert_eq!(f.encoding, "GB18030");
        assert_eq!(f.rows[0].input.as_ref().unwrap().resident_name, "王桂兰");
    }

    #[test]
    fn refuses_binary_junk_with_an_offset() {
        let err = parse(b"name,phone\n\xff\xfe\xfd\x80\x80").unwrap_err();
        assert!(matches!(err, CsvError::Encoding { .. }), "{err}");
        assert!(err.to_string().contains("CSV UTF-8"));
    }

    #[test]
    fn header_problems_are_named() {
        let e = parse("姓名,电话,地址,口味\n".as_bytes()).unwrap_err();
        assert!(matches!(e, CsvError::UnknownColumn { ref column, .. } if column == "口味"));
        let e = parse("姓名,电话\n".as_bytes()).unwrap_err();
        assert_eq!(
            e,
            CsvError::MissingColumns {
                missing: "address, items".into()
            }
        );
        let e = parse("姓名,name,电话,地址,物品\n".as_bytes()).unwrap_err();
        assert!(matches!(e, CsvError::DuplicateColumn { .. }));
        assert_eq!(parse(b"  \n").unwrap_err(), CsvError::Empty);
    }

    #[test]
    fn ragged_rows_are_reported_and_trailing_commas_tolerated() {
        let csv = "姓名,电话,地址,物品\n王桂兰,13945678901,鸿翔名苑3栋,大米,,,\n李建国,13800001111,x,大米,多余\n张三,13800001111\n";
        let f = parse(csv.as_bytes()).unwrap();
        assert!(f.rows[0].input.is_ok());
        assert!(f.rows[1].input.as_ref().unwrap_err().contains("5 fields"));
        // A short row reads its missing cells as empty: validation names them.
        assert_eq!(f.rows[2].input.as_ref().unwrap().address, "");
    }

    #[test]
    fn item_cells() {
        let items = parse_items("大米 1袋；鸡蛋30个、挂面×2,牛奶, 2盒降压药");
        let got: Vec<(String, i64, Option<String>)> = items
            .into_iter()
            .map(|i| (i.name, i.quantity, i.unit))
            .collect();
        assert_eq!(
            got,
            vec![
                ("大米".into(), 1, Some("袋".into())),
                ("鸡蛋".into(), 30, Some("个".into())),
                ("挂面".into(), 2, None),
                ("牛奶".into(), 1, None),
                ("降压药".into(), 2, Some("盒".into())),
            ]
        );
    }

    #[test]
    fn row_keys_are_stable_and_distinct() {
        let a = RequestInput {
            resident_name: "王".into(),
            ..RequestInput::default()
        };
        let b = RequestInput {
            resident_name: "李".into(),
            ..RequestInput::default()
        };
        assert_eq!(row_key(&a), row_key(&a.clone()));
        assert_ne!(row_key(&a), row_key(&b));
        assert!(row_key(&a).len() <= crate::intake::limits::IDEMPOTENCY_KEY_MAX);
    }
}

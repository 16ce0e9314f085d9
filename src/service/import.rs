//! `doorstep import-requests FILE.csv`: a building leader's sign-up list, row by row.
//!
//! Each row is validated and stored on its own (its own transaction): good rows are kept,
//! bad rows are reported with their line and reason and store nothing. Re-importing the same
//! file stores no row twice.

use std::path::Path;

use super::ServiceError;
use crate::db::Database;
use crate::domain::{FiledBy, Source};
use crate::i18n::{self, Lang};
use crate::intake::{self, csv_import};

/// Who compiled the list (applied to rows that do not name a filer).
#[derive(Clone, Debug, Default)]
pub struct Filer {
    pub filed_by: Option<FiledBy>,
    pub name: Option<String>,
    pub phone: Option<String>,
}

/// What happened to each row.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub encoding: &'static str,
    /// (line, request id, tracking token)
    pub stored: Vec<(u64, String, String)>,
    /// Lines already imported earlier (same content).
    pub duplicates: Vec<u64>,
    /// (line, reasons)
    pub refused: Vec<(u64, Vec<String>)>,
}

impl ImportReport {
    pub fn render(&self, file: &Path) -> String {
        let mut s = format!(
            "{}: {} — stored {}, already imported {}, refused {}\n",
            file.display(),
            self.encoding,
            self.stored.len(),
            self.duplicates.len(),
            self.refused.len()
        );
        for (line, reasons) in &self.refused {
            s.push_str(&format!("  line {line}: {}\n", reasons.join("; ")));
        }
        s
    }
}

/// Reads, validates and stores; `dry_run` validates only.
pub fn import_file(
    db: &Database,
    path: &Path,
    filer: &Filer,
    lang: Lang,
    dry_run: bool,
) -> Result<ImportReport, ServiceError> {
    let bytes = std::fs::read(path).map_err(|e| ServiceError::File {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let parsed = csv_import::parse(&bytes).map_err(|e| ServiceError::File {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let mut report = ImportReport {
        encoding: parsed.encoding,
        ..ImportReport::default()
    };
    let actor = format!(
        "csv:{}",
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    );
    for row in parsed.rows {
        let mut input = match row.input {
            Ok(i) => i,
            Err(reason) => {
                report.refused.push((row.line, vec![reason]));
                continue;
            }
        };
        if input.filer_name.is_none() && filer.name.is_some() {
            input.filed_by = Some(
                filer
                    .filed_by
                    .unwrap_or(FiledBy::BuildingLeader)
                    .as_str()
                    .into(),
            );
            input.filer_name = filer.name.clone();
            input.filer_phone = filer.phone.clone();
        }
        input.idempotency_key = Some(csv_import::row_key(&input));
        let valid = match intake::validate(&input) {
            Ok(v) => v,
            Err(errors) => {
                let reasons = errors
                    .iter()
                    .map(|e| {
                        format!(
                            "{}: {}",
                            column_name(&e.field, lang),
                            i18n::problem(lang, &e.problem)
                        )
                    })
                    .collect();
                report.refused.push((row.line, reasons));
                continue;
            }
        };
        if dry_run {
            continue;
        }
        let actor = actor.clone();
        let (stored, created) = db
            .write_blocking(move |c| intake::file_blocking(c, &valid, None, Source::Csv, &actor))?;
        if created {
            report.stored.push((
                row.line,
                stored.id.to_string(),
                stored.tracking_token.to_string(),
            ));
        } else {
            report.duplicates.push(row.line);
        }
    }
    Ok(report)
}

/// The spreadsheet's column for a field, so that the message points at the right cell.
fn column_name(field: &str, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let name = match field.split(['[', '.']).next().unwrap_or(field) {
        "resident_name" => {
            if zh {
                "姓名"
            } else {
                "name"
            }
        }
        "phone" => {
            if zh {
                "电话"
            } else {
                "phone"
            }
        }
        "address" => {
            if zh {
                "地址"
            } else {
                "address"
            }
        }
        "building" => {
            if zh {
                "楼栋"
            } else {
                "building"
            }
        }
        "unit" => {
            if zh {
                "单元"
            } else {
                "unit"
            }
        }
        "room" => {
            if zh {
                "房号"
            } else {
                "room"
            }
        }
        "household_size" => {
            if zh {
                "人数"
            } else {
                "household size"
            }
        }
        "category" => {
            if zh {
                "类别"
            } else {
                "category"
            }
        }
        "items" => {
            if zh {
                "物品"
            } else {
                "items"
            }
        }
        "urgency" => {
            if zh {
                "紧急程度"
            } else {
                "urgency"
            }
        }
        "available_from" | "available_until" => {
            if zh {
                "可收货时间"
            } else {
                "available"
            }
        }
        "notes" => {
            if zh {
                "备注"
            } else {
                "notes"
            }
        }
        "filer_name" | "filer_phone" | "filed_by" => {
            if zh {
                "代报人（--filer-name/--filer-phone）"
            } else {
                "filer (--filer-name/--filer-phone)"
            }
        }
        other => other,
    };
    if field.starts_with("items[") {
        format!("{name} {field}")
    } else {
        name.to_owned()
    }
}

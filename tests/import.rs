//! `doorstep import-requests`: a sign-up list row by row, on a fresh database.

mod common;

use common::TestDb;
use doorstep::db::requests;
use doorstep::i18n::Lang;
use doorstep::service::import::{Filer, import_file};

const LIST: &str = "姓名,电话,地址,人数,类别,物品,紧急程度,可收货时间,备注
王桂兰,13945678901,鸿翔名苑3栋2单元501,2,药品,硝苯地平控释片 2盒；胰岛素笔芯1支,极紧急,09:00-17:30,独居老人

李建国,139abc,国庆家园5号楼1单元302,3,食品,大米1袋、鸡蛋30个,,,
张秀英,13800001111,巴山街32号2号楼,1,pizza,面包,,,
赵德明,13700002222,翠湖苑9号楼1单元201,4,母婴,奶粉 2罐,紧急,,
周立新,13600003333,和兴小区
";

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn leader() -> Filer {
    Filer {
        filed_by: None,
        name: Some("刘楼长".into()),
        phone: Some("13512345678".into()),
    }
}

#[test]
fn good_rows_are_kept_bad_rows_reported_by_line_and_nothing_twice() {
    let t = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "list.csv", LIST.as_bytes());
    let report = import_file(&t.db, &path, &leader(), Lang::Zh, false).unwrap();
    assert_eq!(report.encoding, "UTF-8");
    let stored: Vec<u64> = report.stored.iter().map(|s| s.0).collect();
    assert_eq!(stored, vec![2, 6]);
    let refused: Vec<u64> = report.refused.iter().map(|r| r.0).collect();
    assert_eq!(refused, vec![4, 5, 7]);
    let text = report.render(&path);
    assert!(text.contains("line 4: 电话: 不是有效的电话号码"), "{text}");
    assert!(text.contains("line 5: 类别: 不是可选的值"), "{text}");
    assert!(text.contains("line 7:"), "{text}");
    let rows =
        t.db.read_blocking(|c| requests::list(c, &Default::default(), 10, 0))
            .unwrap()
            .0;
    assert_eq!(rows.len(), 2);
    let wang = rows.iter().find(|r| r.resident_name == "王桂兰").unwrap();
    assert_eq!(wang.filer_name.as_deref(), Some("刘楼长"));
    assert_eq!(wang.filed_by, doorstep::domain::FiledBy::BuildingLeader);
    assert_eq!(wang.item_count, 3);

    let again = import_file(&t.db, &path, &leader(), Lang::Zh, false).unwrap();
    assert!(again.stored.is_empty());
    assert_eq!(again.duplicates, vec![2, 6]);
    assert_eq!(t.db.read_blocking(|c| requests::count(c, None)).unwrap(), 2);
}

#[test]
fn a_gbk_file_from_a_spreadsheet_is_read() {
    let t = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let (gbk, _, _) = encoding_rs::GBK.encode(LIST);
    let path = write(&dir, "gbk.csv", &gbk);
    let report = import_file(&t.db, &path, &leader(), Lang::En, false).unwrap();
    assert_eq!(report.encoding, "GB18030");
    assert_eq!(report.stored.len(), 2);
    let rows =
        t.db.read_blocking(|c| requests::list(c, &Default::default(), 10, 0))
            .unwrap()
            .0;
    assert!(rows.iter().any(|r| r.address_text == "鸿翔名苑3栋2单元501"));
}

#[test]
fn whole_file_problems_name_the_file_and_store_nothing() {
    let t = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let wrong_header = write(&dir, "wrong.csv", "名字,手机号码\n王,139\n".as_bytes());
    let err = import_file(&t.db, &wrong_header, &leader(), Lang::Zh, false)
        .unwrap_err()
        .to_string();
    assert!(err.contains("wrong.csv"), "{err}");
    assert!(err.contains("unknown column `名字`"), "{err}");
    let junk = write(&dir, "junk.csv", &[0x80, 0xff, 0xfe, 0x00, 0x81, 0x30]);
    let err = import_file(&t.db, &junk, &leader(), Lang::Zh, false)
        .unwrap_err()
        .to_string();
    assert!(err.contains("UTF-8"), "{err}");
    let missing = dir.path().join("missing.csv");
    assert!(import_file(&t.db, &missing, &leader(), Lang::Zh, false).is_err());
    assert_eq!(t.db.read_blocking(|c| requests::count(c, None)).unwrap(), 0);
}

#[test]
fn a_dry_run_stores_nothing() {
    let t = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "list.csv", LIST.as_bytes());
    let report = import_file(&t.db, &path, &leader(), Lang::Zh, true).unwrap();
    assert_eq!(report.refused.len(), 3);
    assert_eq!(t.db.read_blocking(|c| requests::count(c, None)).unwrap(), 0);
}

#[test]
fn the_demo_seeds_a_fresh_database() {
    let dir = tempfile::tempdir().unwrap();
    let (db, seeded) = doorstep::service::demo::prepare(dir.path()).unwrap();
    assert_eq!((seeded.squads, seeded.zones, seeded.requests), (6, 3, 48));
    assert_eq!(db.read_blocking(|c| requests::count(c, None)).unwrap(), 48);
    let (token, address) = seeded.example.clone().unwrap();
    assert_eq!(address, "鸿翔名苑3栋2单元501");
    let banner = doorstep::service::demo::banner("127.0.0.1:8080", &seeded);
    assert!(banner.contains("http://127.0.0.1:8080/ "));
    assert!(banner.contains(&format!("http://127.0.0.1:8080/t/{token}")));
    drop(db);
    // A second run starts afresh.
    let (db, _) = doorstep::service::demo::prepare(dir.path()).unwrap();
    assert_eq!(db.read_blocking(|c| requests::count(c, None)).unwrap(), 48);
}

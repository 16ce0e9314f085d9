//! Tests of the intake rules (`validate.rs`).

use super::*;

fn good() -> RequestInput {
    RequestInput {
        resident_name: "王桂兰".into(),
        phone: "139 4567 8901".into(),
        address: "鸿翔名苑3栋2单元501".into(),
        household_size: 2,
        category: "medicine".into(),
        items: vec![ItemInput {
            name: "硝苯地平控释片".into(),
            quantity: 2,
            unit: Some("盒".into()),
        }],
        ..RequestInput::default()
    }
}

fn fields(e: Vec<FieldError>) -> Vec<(String, &'static str)> {
    e.into_iter().map(|e| (e.field, e.problem.code())).collect()
}

#[test]
fn a_good_request_is_normalized() {
    let v = validate(&good()).unwrap();
    assert_eq!(v.phone, "13945678901");
    assert_eq!(v.urgency, Urgency::Normal);
    assert_eq!(v.filed_by, FiledBy::Resident);
    assert_eq!(v.items[0].quantity, 2);
}

#[test]
fn an_empty_request_reports_every_required_field() {
    let e = validate(&RequestInput::default()).unwrap_err();
    let f = fields(e);
    for field in ["resident_name", "phone", "address", "category", "items"] {
        assert!(f.iter().any(|(n, _)| n == field), "{field} in {f:?}");
    }
}

#[test]
fn quantities_and_item_counts() {
    for q in [0, -1, 1000, i64::MAX, i64::MIN] {
        let mut r = good();
        r.items[0].quantity = q;
        let f = fields(validate(&r).unwrap_err());
        assert_eq!(f, vec![("items[0].quantity".to_string(), "out_of_range")]);
    }
    let mut r = good();
    r.items = vec![r.items[0].clone(); 500];
    assert_eq!(
        fields(validate(&r).unwrap_err()),
        vec![("items".to_string(), "too_many_items")]
    );
    r.items.clear();
    assert_eq!(
        fields(validate(&r).unwrap_err()),
        vec![("items".to_string(), "no_items")]
    );
}

#[test]
fn limits_and_codes() {
    let mut r = good();
    r.resident_name = "名".repeat(limits::NAME_MAX + 1);
    r.address = "址".repeat(limits::ADDRESS_MAX + 1);
    r.notes = Some("x".repeat(limits::NOTES_MAX + 1));
    r.category = "pizza".into();
    r.urgency = Some("yesterday".into());
    r.household_size = 0;
    let f = fields(validate(&r).unwrap_err());
    assert!(f.contains(&("resident_name".into(), "too_long")));
    assert!(f.contains(&("address".into(), "too_long")));
    assert!(f.contains(&("notes".into(), "too_long")));
    assert!(f.contains(&("category".into(), "unknown_code")));
    assert!(f.contains(&("urgency".into(), "unknown_code")));
    assert!(f.contains(&("household_size".into(), "out_of_range")));
}

#[test]
fn markup_and_sql_are_kept_as_text() {
    let mut r = good();
    r.resident_name = "<script>alert(1)</script>".into();
    r.address = "巴山街32号'; DROP TABLE requests;--".into();
    let v = validate(&r).unwrap();
    assert_eq!(v.resident_name, "<script>alert(1)</script>");
}

#[test]
fn filing_on_behalf_needs_the_filer() {
    let mut r = good();
    r.filed_by = Some("building_leader".into());
    let f = fields(validate(&r).unwrap_err());
    assert_eq!(
        f,
        vec![
            ("filer_name".to_string(), "filer_required"),
            ("filer_phone".to_string(), "filer_required")
        ]
    );
    r.filer_name = Some("李楼长".into());
    r.filer_phone = Some("13800001111".into());
    let v = validate(&r).unwrap();
    assert_eq!(v.filed_by, FiledBy::BuildingLeader);
    assert_eq!(v.filer_phone.as_deref(), Some("13800001111"));
}

#[test]
fn hours() {
    let mut r = good();
    r.available_from = Some("09:00".into());
    r.available_until = Some("０８：３０".into());
    assert_eq!(
        fields(validate(&r).unwrap_err()),
        vec![("available_until".to_string(), "time_order")]
    );
    r.available_until = Some("25:00".into());
    assert_eq!(
        fields(validate(&r).unwrap_err()),
        vec![("available_until".to_string(), "time_format")]
    );
}

#[test]
fn control_characters_are_refused() {
    let mut r = good();
    r.resident_name = "王\u{0}桂兰".into();
    assert_eq!(
        fields(validate(&r).unwrap_err()),
        vec![("resident_name".to_string(), "control_characters")]
    );
}

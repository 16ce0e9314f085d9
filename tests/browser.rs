//! What people click, in headless Chromium against the real server (see `browser_support`):
//! a resident files in Chinese on a phone; a coordinator fixes the uncertain location by
//! dragging the pin; a squad member marks the stop delivered on a 360×740 screen; the board
//! updates live; the resident's page shows the expected time, then "delivered". Two
//! coordinators confirming the same location: one wins, the other is told and sees the
//! current state. Screenshots of each view go to `target/screenshots/`.

mod browser_board;
mod browser_dispatch;
mod browser_pages;
mod browser_support;
mod common;

use std::time::Duration;

use browser_support::fixtures::*;
use browser_support::*;
use doorstep::auth::Role;
use doorstep::domain::RequestStatus;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_goes_from_the_form_to_the_door_and_the_resident_sees_it() {
    if !browser_available() {
        return;
    }
    let s = Served::start();
    let squad = s.squads[0].clone();
    s.add_user("coord", Role::Coordinator, None);
    s.add_user("squad1", Role::SquadMember, Some(&squad));
    let d = Driver::start();

    // A resident on a phone files in Chinese; the corner they describe is no address.
    let resident = d.phone().await;
    resident.goto(&s.url("/")).await.expect("the form");
    let lang = js(&resident, "return document.documentElement.lang;", vec![]).await;
    assert!(lang.as_str().unwrap_or("").starts_with("zh"), "{lang}");
    fill(&resident, "#resident_name", "李秀英").await;
    fill(&resident, "#phone", "13945670012").await;
    fill(&resident, "#address", "黑山街与国庆路交口东北角").await;
    fill(&resident, "#room", "一楼门市").await;
    click(&resident, "input[name=category][value=medicine]").await;
    fill(&resident, "input[name=item_name_0]", "胰岛素笔芯").await;
    fill(&resident, "input[name=item_quantity_0]", "2").await;
    fill(&resident, "input[name=item_unit_0]", "盒").await;
    click(&resident, "input[name=urgency][value=urgent]").await;
    screenshot(&resident, "01-resident-form-zh").await;
    assert_accessible(&resident, "the form").await;
    click(&resident, "button.primary[type=submit]").await;
    let link = find(&resident, ".track-link a").await;
    let track = link
        .attr("href")
        .await
        .expect("href")
        .expect("a tracking link");
    screenshot(&resident, "02-resident-filed").await;
    assert_accessible(&resident, "filed").await;
    let token = track.trim_start_matches("/t/").to_owned();
    let filed = request_by_token(&s, &token);
    assert_eq!(filed.status, RequestStatus::NeedsReview);
    assert!(filed.lon.is_none());

    // A coordinator signs in, finds it in the review queue and drags the pin to the corner.
    let coord = d.browser(1280, 860).await;
    sign_in(&coord, &s, "coord").await;
    assert!(
        coord
            .current_url()
            .await
            .unwrap()
            .path()
            .starts_with("/coord")
    );
    board_loaded(&coord).await;
    let item = format!("#review-list form.review-item[data-request='{}']", filed.id);
    find(&coord, &item).await;
    screenshot(&coord, "03-board-review-queue").await;
    assert_accessible(&coord, "the board").await;
    click(&coord, &format!("{item} .show-pin")).await;
    find(&coord, ".review-pin").await;
    tokio::time::sleep(Duration::from_millis(400)).await; // the map's fly-to
    drag(&coord, ".review-pin", 90.0, -60.0).await;
    let lon = until(
        &coord,
        "the pin's longitude",
        &format!("return document.querySelector(\"{item} input[name=lon]\").value;"),
    )
    .await;
    let lat = js(
        &coord,
        &format!("return document.querySelector(\"{item} input[name=lat]\").value;"),
        vec![],
    )
    .await;
    let (lon, lat): (f64, f64) = (
        lon.as_str().unwrap().parse().unwrap(),
        lat.as_str().unwrap().parse().unwrap(),
    );
    screenshot(&coord, "04-board-pin-moved").await;
    click(&coord, &format!("{item} button.ok")).await;
    until(
        &coord,
        "the confirmed item to leave the queue",
        &format!("return !document.querySelector(\"{item}\");"),
    )
    .await;
    let fixed = request(&s, filed.id);
    assert!(fixed.location_confirmed);
    assert_eq!(fixed.status, RequestStatus::New);
    assert!((fixed.lon.unwrap() - lon).abs() < 1e-6 && (fixed.lat.unwrap() - lat).abs() < 1e-6);

    // The route: a neighbour first (planned ten minutes ago), then this request in 30 min.
    let neighbour = file(&s, "鸿翔名苑3栋2单元501");
    let stops = route(&s, &squad, &[(&neighbour, -10), (&fixed, 30)]);
    coord.refresh().await.expect("reload the board");
    board_loaded(&coord).await;
    let open_before = text(&coord, "#stat-open").await;

    // The squad member, on a 360×740 phone, marks the neighbour's stop delivered.
    let phone = d.phone().await;
    sign_in(&phone, &s, "squad1").await;
    assert_eq!(
        phone.current_url().await.unwrap().path(),
        format!("/squad/{}", squad.id)
    );
    let width = js(
        &phone,
        "return [window.innerWidth, document.documentElement.scrollWidth, window.innerHeight];",
        vec![],
    )
    .await;
    assert!(
        width[0].as_i64() == Some(360)
            && width[2].as_i64() == Some(740)
            && width[1].as_i64() <= width[0].as_i64(),
        "no sideways scrolling on a 360 px phone: {width}"
    );
    screenshot(&phone, "05-sheet-phone").await;
    assert_accessible(&phone, "the route sheet").await;
    click(
        &phone,
        &format!("#stop-{} button[value=delivered]", stops[0]),
    )
    .await;
    until(
        &phone,
        "the first stop delivered",
        &format!(
            "var b = document.querySelector('#stop-{} .stop-status'); \
             return b && b.getAttribute('data-status') === 'delivered' && document.getElementById('outbox').hidden;",
            stops[0]
        ),
    )
    .await;

    // The resident's page: on the way, with the expected time shifted by the squad's delay.
    resident.goto(&s.url(&track)).await.expect("tracking page");
    let word = text(&resident, ".status-word").await;
    assert_eq!(word, "配送中");
    let eta = text(&resident, "#eta").await;
    assert!(eta.starts_with('约'), "{eta}");
    let body = text(&resident, "main").await;
    let late: i64 = body
        .split("比计划晚 ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the squad's delay is named: {body}"));
    assert!((10..=11).contains(&late), "{body}");
    assert!(
        !body.contains("鸿翔名苑"),
        "the tracking page shows no one else's stop: {body}"
    );
    screenshot(&resident, "06-tracking-on-the-way").await;
    assert_accessible(&resident, "tracking").await;

    // Now this request's stop, delivered.
    click(
        &phone,
        &format!("#stop-{} button[value=delivered]", stops[1]),
    )
    .await;
    until(
        &phone,
        "the second stop delivered",
        &format!(
            "var b = document.querySelector('#stop-{} .stop-status'); \
             return b && b.getAttribute('data-status') === 'delivered' && document.getElementById('outbox').hidden;",
            stops[1]
        ),
    )
    .await;
    screenshot(&phone, "07-sheet-delivered").await;
    assert_eq!(request(&s, fixed.id).status, RequestStatus::Delivered);

    // The board, left open, updates by itself: both deliveries arrive (a poll may land between
    // the two marks and show one first, so wait for the count with both).
    let open_expected = open_before.parse::<i64>().unwrap() - 2;
    let open_after = until(
        &coord,
        "the board's live update",
        &format!(
            "var n = document.getElementById('stat-open').textContent; return n === '{open_expected}' ? n : null;"
        ),
    )
    .await;
    assert_eq!(
        open_after.as_str().unwrap().parse::<i64>().unwrap(),
        open_expected
    );
    click(&coord, "#tab-squads").await;
    screenshot(&coord, "08-board-live-update").await;

    // The resident sees it delivered, in Chinese and in English.
    resident.goto(&s.url(&track)).await.expect("tracking page");
    assert_eq!(text(&resident, ".status-word").await, "已送达");
    find(&resident, "#delivered-at").await;
    screenshot(&resident, "09-tracking-delivered").await;
    resident
        .goto(&s.url(&format!("{track}?lang=en")))
        .await
        .expect("tracking page in English");
    assert_eq!(text(&resident, ".status-word").await, "Delivered");
    screenshot(&resident, "10-tracking-delivered-en").await;
    assert_accessible(&resident, "tracking in English").await;

    for c in [resident, coord, phone] {
        c.close().await.expect("close the browser");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_coordinators_confirm_one_location_the_second_is_told_and_sees_the_first() {
    if !browser_available() {
        return;
    }
    let s = Served::start();
    s.add_user("wang", Role::Coordinator, None);
    s.add_user("zhao", Role::Coordinator, None);
    let r = file(&s, "黑山街与国庆路交口东北角");
    assert_eq!(r.status, RequestStatus::NeedsReview);
    let d = Driver::start();
    let wang = d.browser(1280, 860).await;
    let zhao = d.browser(1280, 860).await;
    sign_in(&wang, &s, "wang").await;
    sign_in(&zhao, &s, "zhao").await;
    board_loaded(&wang).await;
    board_loaded(&zhao).await;
    let item = format!("#review-list form.review-item[data-request='{}']", r.id);

    // Both type coordinates with the keyboard and send with Enter; Wang is first.
    for (c, lon) in [(&wang, "126.9051"), (&zhao, "126.9102")] {
        fill(c, &format!("{item} input[name=lon]"), lon).await;
        fill(c, &format!("{item} input[name=lat]"), "45.7052").await;
    }
    find(&wang, &format!("{item} input[name=lat]"))
        .await
        .send_keys("\u{E007}")
        .await
        .expect("Enter");
    until(
        &wang,
        "Wang's confirmation",
        &format!("return !document.querySelector(\"{item}\");"),
    )
    .await;
    find(&zhao, &format!("{item} input[name=lat]"))
        .await
        .send_keys("\u{E007}")
        .await
        .expect("Enter");
    let told = until(
        &zhao,
        "Zhao is told",
        "var t = document.getElementById('toast'); return !t.hidden && t.classList.contains('conflict') ? t.textContent : null;",
    )
    .await;
    assert!(told.as_str().unwrap().contains("另一位协调员"), "{told}");
    // The stale form is gone and the request's details show where Wang put it.
    until(
        &zhao,
        "the current state",
        &format!(
            "var lon = document.querySelector('#panel-detail input[name=lon]'); \
             return !document.querySelector(\"{item}\") && lon && Math.abs(parseFloat(lon.value) - 126.9051) < 1e-6;"
        ),
    )
    .await;
    screenshot(&zhao, "11-board-conflict").await;
    let now = request(&s, r.id);
    assert_eq!(now.lon, Some(126.9051));
    assert!(now.location_confirmed);
    for c in [wang, zhao] {
        c.close().await.expect("close");
    }
}

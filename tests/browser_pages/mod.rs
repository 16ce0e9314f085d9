//! Every page in Chinese and English, named for screen readers and working from the keyboard;
//! the forms without scripts.

use std::time::Duration;

use crate::browser_support::fixtures::*;
use crate::browser_support::*;
use doorstep::auth::Role;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_reads_in_both_languages_and_the_pin_moves_by_keyboard() {
    if !browser_available() {
        return;
    }
    let s = Served::start();
    let squad = s.squads[0].clone();
    s.add_user("coord", Role::Coordinator, None);
    let located = file(&s, "鸿翔名苑3栋2单元501");
    let uncertain = file(&s, "黑山街与国庆路交口东北角");
    route(&s, &squad, &[(&located, 20)]);
    let d = Driver::start();
    let c = d.browser(1280, 860).await;

    let public = [
        "/".to_owned(),
        "/login".to_owned(),
        format!("/t/{}", located.tracking_token),
    ];
    let staff = [
        "/coord".to_owned(),
        format!("/coord/requests/{}", located.id),
        "/coord/squads/new".to_owned(),
        format!("/coord/squads/{}", squad.id),
        "/coord/zones/new".to_owned(),
        "/coord/print".to_owned(),
        format!("/squad/{}", squad.id),
        format!("/squad/{}/print", squad.id),
        "/account".to_owned(),
    ];
    // One screenshot of each view not shown by the other tests (Chinese).
    let shots = [
        ("/login", "15-login"),
        ("/coord/requests/", "16-request-detail"),
        ("/coord/squads/new", "17-squad-form"),
        ("/coord/zones/new", "18-zone-form"),
        ("/coord/print", "19-print-all"),
        ("/print", "20-squad-print"),
        ("/account", "21-account"),
    ];
    for (signed_in, pages) in [(false, &public[..]), (true, &staff[..])] {
        if signed_in {
            sign_in(&c, &s, "coord").await;
        }
        for page in pages {
            for (lang, word) in [("zh", "zh"), ("en", "en")] {
                c.goto(&s.url(&format!("{page}?lang={lang}")))
                    .await
                    .expect("page");
                let html_lang = js(&c, "return document.documentElement.lang;", vec![]).await;
                assert!(
                    html_lang.as_str().unwrap_or("").starts_with(word),
                    "{page}?lang={lang}: {html_lang}"
                );
                if page == "/coord" {
                    board_loaded(&c).await;
                }
                if lang == "zh"
                    && let Some((_, name)) = shots.iter().find(|(p, _)| {
                        page == p
                            || (p.ends_with('/') && page.starts_with(p))
                            || (p.starts_with("/print") && page.ends_with(p))
                    })
                {
                    if page.starts_with("/coord/zones") {
                        // The zone editor's map loads its layers.
                        tokio::time::sleep(Duration::from_millis(500)).await;
                    }
                    screenshot(&c, name).await;
                }
                assert_accessible(&c, &format!("{page}?lang={lang}")).await;
            }
        }
    }
    // The audit finds what it looks for: an unnamed field and a key instead of words.
    js(
        &c,
        "var i = document.createElement('input'); i.name = 'probe'; document.body.appendChild(i); \
         var p = document.createElement('p'); p.textContent = 'board.nothing_here'; document.body.appendChild(p);",
        vec![],
    )
    .await;
    let faults = audit(&c).await;
    assert!(
        faults.iter().any(|f| f.contains("unnamed input probe"))
            && faults.iter().any(|f| f.contains("board.nothing_here")),
        "{faults:?}"
    );

    // The English board, the last language chosen.
    c.goto(&s.url("/coord")).await.expect("board");
    board_loaded(&c).await;
    screenshot(&c, "13-board-english").await;

    // The review pin without a mouse: Tab to "show pin", Enter, arrows move it.
    let item = format!(
        "#review-list form.review-item[data-request='{}']",
        uncertain.id
    );
    let show = find(&c, &format!("{item} .show-pin")).await;
    show.send_keys("\u{E007}").await.expect("Enter on show pin");
    let focused = until(
        &c,
        "the pin focused",
        "return document.activeElement && document.activeElement.classList.contains('review-pin');",
    )
    .await;
    assert_eq!(focused, serde_json::Value::Bool(true));
    let before = js(
        &c,
        &format!(
            "return parseFloat(document.querySelector(\"{item} input[name=lon]\").value) || 0;"
        ),
        vec![],
    )
    .await;
    let pin = find(&c, ".review-pin").await;
    for _ in 0..3 {
        pin.send_keys("\u{E014}").await.expect("ArrowRight");
    }
    let after = js(
        &c,
        &format!("return parseFloat(document.querySelector(\"{item} input[name=lon]\").value);"),
        vec![],
    )
    .await;
    assert!(
        after.as_f64().unwrap() > before.as_f64().unwrap(),
        "arrow keys move the pin east: {before} → {after}"
    );
    let manual = js(
        &c,
        &format!(
            "return document.querySelector(\"{item} input[name=candidate][value=manual]\").checked;"
        ),
        vec![],
    )
    .await;
    assert_eq!(manual, serde_json::Value::Bool(true));
    screenshot(&c, "14-board-pin-by-keyboard").await;
    c.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_javascript_a_coordinator_who_lost_a_race_sees_the_current_state() {
    if !browser_available() {
        return;
    }
    let s = Served::start();
    s.add_user("wang", Role::Coordinator, None);
    s.add_user("zhao", Role::Coordinator, None);
    let r = file(&s, "鸿翔名苑3栋2单元501");
    let d = Driver::start();
    let wang = d.browser_without_js(1024, 800).await;
    let zhao = d.browser_without_js(1024, 800).await;
    sign_in_plain(&wang, &s, "wang").await;
    sign_in_plain(&zhao, &s, "zhao").await;
    let page = s.url(&format!("/coord/requests/{}", r.id));
    wang.goto(&page).await.expect("detail");
    zhao.goto(&page).await.expect("detail");
    // Neither page runs a script: the board's JSON never loads, the forms post plainly.
    let select = format!("#urgency-{}", r.id);
    find(&wang, &select)
        .await
        .select_by_value("extremely_urgent")
        .await
        .expect("choose");
    click(&wang, "form.urgency-form button").await;
    assert!(
        text(&wang, "#flash").await.len() > 1,
        "Wang's change is confirmed"
    );
    find(&zhao, &select)
        .await
        .select_by_value("normal")
        .await
        .expect("choose");
    click(&zhao, "form.urgency-form button").await;
    let told = text(&zhao, "#flash.conflict").await;
    assert!(told.contains("另一位协调员"), "{told}");
    // The page now shows Wang's urgency, ready to be changed again deliberately.
    let shown = find(&zhao, &format!("{select} option[selected]"))
        .await
        .attr("value")
        .await
        .expect("attr");
    assert_eq!(shown.as_deref(), Some("extremely_urgent"));
    screenshot(&zhao, "22-no-script-conflict").await;
    assert_eq!(
        request(&s, r.id).urgency,
        doorstep::domain::Urgency::ExtremelyUrgent
    );
    for c in [wang, zhao] {
        c.close().await.expect("close");
    }
}

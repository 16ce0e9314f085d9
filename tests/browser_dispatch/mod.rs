//! The dispatch board in a browser: a coordinator plans the district, then moves a stop from
//! one squad to another with the keyboard (select the stop, choose the squad, move) and is
//! told what it changed; a second coordinator who still sees the old lists moves the same stop
//! and is told someone was first, and the lists show where it went.

use std::time::Duration;

use serde_json::Value;

use crate::browser_support::fixtures::*;
use crate::browser_support::*;
use doorstep::auth::Role;
use doorstep::domain::SquadId;

/// Outside the high-risk zone, so any squad may take them.
const ADDRESSES: [&str; 8] = [
    "鸿翔名苑3栋2单元501",
    "士课新村8栋3单元102",
    "翠湖苑 10号楼 1单元 402室",
    "奋进小区2栋1单元301",
    "蓝天嘉苑2号楼2单元302",
    "和兴小区9栋2单元302",
    "国庆家园16号楼4单元302",
    "红军小区15栋4单元202",
];

/// Labels of the stops a squad's list shows.
async fn labels_of(c: &fantoccini::Client, squad: &str) -> Vec<String> {
    let v = js(
        c,
        "return Array.prototype.map.call(document.querySelectorAll(\
         'ol.stoplist[data-squad=\"' + arguments[0] + '\"] li[data-stop] .lbl'), \
         function (e) { return e.title || e.textContent; });",
        vec![Value::from(squad)],
    )
    .await;
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_plans_the_day_and_moves_a_stop_between_squads() {
    if !browser_available() {
        return;
    }
    let s = Served::start();
    s.add_user("wang", Role::Coordinator, None);
    s.add_user("zhao", Role::Coordinator, None);
    for a in ADDRESSES {
        file(&s, a);
    }
    let d = Driver::start();
    let wang = d.browser(1280, 860).await;
    sign_in(&wang, &s, "wang").await;
    board_loaded(&wang).await;
    click(&wang, "#tab-squads").await;
    click(&wang, "form[action='/coord/replan'] button").await;
    // The optimizer's budget for a district is 10 s of wall clock, and more in a debug build.
    until_within(
        &wang,
        "the day's plan",
        "return document.querySelectorAll('.stoplist li[data-stop]').length > 0;",
        Duration::from_secs(90),
    )
    .await;
    screenshot(&wang, "23-board-planned").await;

    // A stop, its squad, and another squad with at least the same skills.
    let pick = wang
        .execute_async(
            "var done = arguments[arguments.length - 1]; \
             fetch('/coord/board.json', { credentials: 'same-origin' }).then(function (r) { return r.json(); }) \
             .then(function (b) { \
               var from = b.squads.filter(function (q) { return q.stops.length; })[0]; \
               var able = b.squads.filter(function (q) { return q.id !== from.id && \
                 from.skills.every(function (k) { return q.skills.indexOf(k) >= 0; }); }); \
               var st = from.stops[0]; \
               done([st[0], from.id, able.map(function (q) { return q.id; }), st[5]]); });",
            vec![],
        )
        .await
        .expect("the board's data");
    let stop = pick[0].as_str().unwrap().to_owned();
    let from = pick[1].as_str().unwrap().to_owned();
    let able: Vec<String> = pick[2]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let label = pick[3].as_str().unwrap().to_owned();
    assert!(!able.is_empty(), "another squad can take the stop: {pick}");
    let to = able[0].clone();

    // Zhao opens the board now: his lists still show the stop where it is.
    let zhao = d.browser(1280, 860).await;
    sign_in(&zhao, &s, "zhao").await;
    board_loaded(&zhao).await;
    click(&zhao, "#tab-squads").await;
    // He selects the same stop and a squad for it, and is about to press Move.
    let other = able.get(1).cloned().unwrap_or_else(|| to.clone());
    let li = find(
        &zhao,
        &format!("ol.stoplist[data-squad='{from}'] li[data-stop='{stop}']"),
    )
    .await;
    li.click().await.expect("select the stop");
    find(&zhao, "#move-target")
        .await
        .select_by_value(&other)
        .await
        .expect("choose");

    // Wang moves it without the mouse: Enter on the stop, choose the squad, Enter on Move.
    let li = find(&wang, &format!("li[data-stop='{stop}']")).await;
    li.send_keys("\u{E007}").await.expect("Enter on the stop");
    find(&wang, "#move-target")
        .await
        .select_by_value(&to)
        .await
        .expect("choose the squad");
    find(&wang, "#move-go")
        .await
        .send_keys("\u{E007}")
        .await
        .expect("Enter on Move");
    let said = until(
        &wang,
        "the move's message",
        "var t = document.getElementById('toast'); return !t.hidden && !t.classList.contains('conflict') ? t.textContent : null;",
    )
    .await;
    assert!(said.as_str().unwrap_or("").chars().count() > 4, "{said}");
    until(
        &wang,
        "the stop in its new squad's list",
        &format!(
            "return Array.prototype.some.call(document.querySelectorAll(\
             'ol.stoplist[data-squad=\"{to}\"] li[data-stop] .lbl'), function (e) {{ \
             return (e.title || e.textContent) === {label:?}; }});"
        ),
    )
    .await;
    screenshot(&wang, "24-board-stop-moved").await;
    assert!(labels_of(&wang, &to).await.contains(&label));
    // Stored: the request is on the new squad's plan.
    let to_id: SquadId = to.parse().unwrap();
    let db = s.t.db.clone();
    let stored = off(move || {
        db.read_blocking(move |c| {
            let today = chrono::Utc::now()
                .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
                .date_naive();
            let plan =
                doorstep::db::plans::current_plan(doorstep::db::plans::for_squad(c, to_id, today)?);
            match plan {
                Some(p) => Ok(doorstep::db::plans::stops_of(c, p.id)?
                    .into_iter()
                    .map(|(s, _)| s.label)
                    .collect::<Vec<_>>()),
                None => Ok(Vec::new()),
            }
        })
    })
    .expect("the new squad's plan");
    assert!(stored.contains(&label), "{stored:?} lacks {label}");

    // Zhao presses Move on what he saw: he is told, and sees where it went.
    click(&zhao, "#move-go").await;
    let told = until(
        &zhao,
        "Zhao is told",
        "var t = document.getElementById('toast'); return !t.hidden && t.classList.contains('conflict') ? t.textContent : null;",
    )
    .await;
    assert!(told.as_str().unwrap().contains("另一位协调员"), "{told}");
    let deadline = std::time::Instant::now() + WAIT;
    while !labels_of(&zhao, &to).await.contains(&label) {
        assert!(
            std::time::Instant::now() < deadline,
            "Zhao's board shows the stop with {to}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // His stale selection is gone: he chooses again from the lists as they are.
    let bar = js(
        &zhao,
        "return document.getElementById('move-go').closest('[role=region]').hidden;",
        vec![],
    )
    .await;
    assert_eq!(bar, Value::Bool(true));
    screenshot(&zhao, "25-board-move-conflict").await;
    for c in [wang, zhao] {
        c.close().await.expect("close");
    }
}

//! The catalogue of dispatch: why a request is left unserved, the plan and move messages of
//! the board and the command line. Its own file so that the board's catalogue and this one
//! grow without editing each other.

/// (key, Chinese, English).
pub(super) const CATALOGUE: &[(&str, &str, &str)] = &[
    (
        "unserved.no_squad_available",
        "没有可用的小队",
        "no squad is available",
    ),
    (
        "unserved.no_squad_with_skill",
        "没有具备所需条件的小队（高风险区卡口须穿防护装备）",
        "no squad has the required skill (a high-risk zone's checkpoint needs protective gear)",
    ),
    (
        "unserved.outside_every_area",
        "不在任何小队负责的社区内",
        "outside every squad's area",
    ),
    (
        "unserved.exceeds_capacity",
        "物品超过任何小队一次能运送的数量",
        "more than any squad can carry",
    ),
    (
        "unserved.unreachable",
        "能送达的小队都无法通过道路到达",
        "unreachable for every squad that could serve it",
    ),
    (
        "unserved.deadline_cannot_be_met",
        "无法在期限内送达",
        "the deadline cannot be met",
    ),
    (
        "unserved.outside_hours",
        "居民可收货时间不在任何小队的班次内",
        "residents' hours do not fit any squad's shift",
    ),
    (
        "unserved.no_capacity_left",
        "小队运力和时间已用于更紧急的申请",
        "squads are full: capacity and time went to more urgent stops",
    ),
    (
        "unserved.no_road_nearby",
        "地址附近没有小队能走的道路",
        "no road the squads can use near the address",
    ),
    ("plans.unserved_title", "未能安排的申请", "Not planned"),
    (
        "plans.unserved_intro",
        "以下申请没有排进今天的路线，原因如下。调整小队或区域后可全区重新规划。",
        "These requests are not on today's routes, for the reason given. Change squads or areas, then re-plan the district.",
    ),
    (
        "plans.unserved_none",
        "所有申请都已排进路线。",
        "Every request is on a route.",
    ),
    (
        "plans.no_map",
        "服务器未加载地图，无法计算路线。请用 --osm 启动。",
        "The server runs without a map, so it cannot plan routes. Start it with --osm.",
    ),
    (
        "plans.planned",
        "已生成 {plans} 条路线，安排 {served} 个站点，{unserved} 个站点未能安排。",
        "{plans} route(s) planned with {served} stop(s); {unserved} stop(s) left unserved.",
    ),
    (
        "plans.reoptimized",
        "本队路线已重新优化。",
        "The squad's route was re-optimized.",
    ),
    ("plans.delta_time", "时间", "time"),
    ("plans.delta_distance", "距离", "distance"),
    ("plans.reason", "原因", "Reason"),
    ("board.flash.refused", "未能调整：", "Not changed:"),
    (
        "board.flash.reoptimized",
        "本队路线已重新优化：",
        "The squad's route was re-optimized:",
    ),
    (
        "plans.replan_squad_hint",
        "重新排定本队待送站点的顺序",
        "Re-order this squad's stops still to do",
    ),
];

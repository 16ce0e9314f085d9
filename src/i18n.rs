//! The message catalogue: every word doorstep shows to a person, in Chinese (default) and
//! English. Templates are not duplicated per language; they ask the catalogue by key
//! (`t.get("form.title")`). A test checks that every key used in `templates/` exists here.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::intake::Problem;

mod dispatch;
mod plans;

/// A language doorstep speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// `zh`/`en` (also `zh-CN`, `en-US`, ...); anything else is `None`.
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s.starts_with("zh") {
            Some(Lang::Zh)
        } else if s.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The first language of an `Accept-Language` header that doorstep speaks.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        header
            .split(',')
            .filter_map(|part| Lang::parse(part.split(';').next().unwrap_or("")))
            .next()
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The value of `<html lang>`.
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

/// (key, Chinese, English).
const CATALOGUE: &[(&str, &str, &str)] = &[
    ("app.name", "居家物资配送", "doorstep"),
    (
        "app.tagline",
        "居家隔离居民的药品、食品与母婴用品配送",
        "Medicine, food and infant supplies for households in home isolation",
    ),
    ("lang.other", "English", "中文"),
    ("nav.home", "申请配送", "Request supplies"),
    // The form.
    ("form.title", "申请配送物资", "Request supplies"),
    ("form.honeypot", "请勿填写此栏", "Leave this field empty"),
    (
        "form.intro",
        "居家隔离期间需要药品、食品或母婴用品，请填写下表。社区工作人员会尽快安排送到您家门口。带 * 的为必填项。",
        "If you are isolating at home and need medicine, food or infant supplies, fill in this form. Community staff will arrange delivery to your door. Fields marked * are required.",
    ),
    (
        "form.errors",
        "有几项需要修改，请看标红的地方。",
        "Some answers need fixing: see the fields marked in red.",
    ),
    ("form.section.resident", "收货人", "Who receives the goods"),
    ("form.section.address", "地址", "Address"),
    ("form.section.need", "需要什么", "What is needed"),
    (
        "form.section.behalf",
        "代他人申请",
        "Filing for someone else",
    ),
    (
        "form.behalf.hint",
        "楼长、邻居或志愿者替居民申请时，请选择身份并留下您的联系方式。",
        "Building leaders, neighbours or volunteers filing for a resident: choose who you are and leave your contact.",
    ),
    ("form.submit", "提交申请", "Send request"),
    ("form.required", "必填", "required"),
    ("field.resident_name", "姓名", "Name"),
    ("field.phone", "电话", "Phone"),
    (
        "field.phone.hint",
        "手机号或带区号的座机，如 13945678901 或 0451-86123456",
        "Mobile or landline with area code, e.g. 13945678901 or 0451-86123456",
    ),
    (
        "field.household_size",
        "家庭人数",
        "People in the household",
    ),
    ("field.address", "地址", "Address"),
    (
        "field.address.hint",
        "按平时的写法即可，如：鸿翔名苑3栋2单元501",
        "Write it as you usually do, e.g. 鸿翔名苑3栋2单元501",
    ),
    ("field.building", "楼栋", "Building"),
    ("field.unit", "单元", "Entrance (unit)"),
    ("field.room", "房号", "Flat"),
    ("field.category", "类别", "Kind of need"),
    ("field.items", "物品和数量", "Items and quantities"),
    (
        "field.items.hint",
        "每行一种物品，至少填一行。",
        "One item per row, at least one row.",
    ),
    ("field.item_name", "物品", "Item"),
    ("field.item_quantity", "数量", "Quantity"),
    ("field.item_unit", "单位", "Unit"),
    ("field.item_quantity.short", "数量", "Qty"),
    ("field.urgency", "紧急程度", "How urgent"),
    ("field.available_from", "在家时间从", "At home from"),
    ("field.available_until", "到", "until"),
    (
        "field.available.hint",
        "不填表示全天可送。",
        "Leave empty if any time is fine.",
    ),
    ("field.notes", "备注", "Notes"),
    (
        "field.notes.hint",
        "如：药快吃完了；老人独居请先打电话。",
        "E.g. medicine runs out tomorrow; elderly person alone, please call first.",
    ),
    ("field.filed_by", "申请人身份", "You are"),
    ("field.filer_name", "您的姓名", "Your name"),
    ("field.filer_phone", "您的电话", "Your phone"),
    ("category.medicine", "药品", "Medicine"),
    ("category.food", "食品和生活物资", "Food and daily goods"),
    ("category.infant_supplies", "母婴用品", "Infant supplies"),
    (
        "category.medical_emergency",
        "就医急需（透析、分娩、化疗等）",
        "Medical emergency (dialysis, childbirth, chemotherapy...)",
    ),
    ("category.other", "其他", "Other"),
    (
        "urgency.extremely_urgent",
        "极紧急（今天必须送到）",
        "Extremely urgent (must arrive today)",
    ),
    ("urgency.urgent", "紧急", "Urgent"),
    ("urgency.normal", "一般", "Normal"),
    ("filed_by.resident", "本人", "The resident"),
    (
        "filed_by.building_leader",
        "楼长 / 单元长",
        "Building leader",
    ),
    ("filed_by.neighbour", "邻居", "Neighbour"),
    ("filed_by.volunteer", "志愿者", "Volunteer"),
    // Statuses, short and in plain words.
    ("status.new", "已收到", "Received"),
    (
        "status.new.explain",
        "您的申请已收到，正在等待安排配送。",
        "We have your request and are arranging the delivery.",
    ),
    ("status.needs_review", "核对地址中", "Checking the address"),
    (
        "status.needs_review.explain",
        "您的申请已收到。工作人员正在核对您的地址，可能会打电话给您。",
        "We have your request. Staff are checking your address and may call you.",
    ),
    ("status.assigned", "已安排", "Scheduled"),
    (
        "status.assigned.explain",
        "已安排配送小分队，物资正在准备。",
        "A delivery squad has been assigned and is preparing your goods.",
    ),
    ("status.out_for_delivery", "配送中", "On the way"),
    (
        "status.out_for_delivery.explain",
        "物资正在送往您家的路上，请保持电话畅通。",
        "Your goods are on the way. Please keep your phone on.",
    ),
    ("status.delivered", "已送达", "Delivered"),
    (
        "status.delivered.explain",
        "物资已送到。如有问题请联系社区。",
        "Your goods were delivered. Contact your community office if anything is wrong.",
    ),
    ("status.failed", "未能送达", "Not delivered"),
    (
        "status.failed.explain",
        "这次没能送到。社区工作人员会联系您重新安排。",
        "We could not deliver this time. Community staff will contact you to arrange it again.",
    ),
    ("status.cancelled", "已取消", "Cancelled"),
    (
        "status.cancelled.explain",
        "这个申请已取消。",
        "This request was cancelled.",
    ),
    ("failure.not_home", "家中无人", "Nobody at home"),
    ("failure.refused", "拒收", "Refused"),
    ("failure.wrong_address", "地址有误", "Wrong address"),
    ("failure.could_not_reach", "无法到达", "Could not reach"),
    ("failure.other", "其他原因", "Other reason"),
    // Confirmation and tracking.
    ("confirm.title", "申请已提交", "Request sent"),
    (
        "confirm.body",
        "我们已收到您的申请。请保存下面的链接，随时查看配送进度。",
        "We have your request. Keep the link below to follow it.",
    ),
    ("confirm.link", "查看进度", "Follow your request"),
    (
        "confirm.keep",
        "请截图或收藏此页面。不要把链接发给陌生人。",
        "Take a screenshot or bookmark this page. Do not share the link with strangers.",
    ),
    ("confirm.another", "再申请一份", "File another request"),
    ("track.title", "配送进度", "Delivery status"),
    ("track.filed_at", "提交时间", "Filed"),
    ("track.updated_at", "最近更新", "Last update"),
    ("track.what", "申请内容", "What was asked"),
    ("track.where", "送货地址", "Delivery address"),
    ("track.who", "收货人", "Recipient"),
    ("track.reason", "原因", "Reason"),
    ("track.steps", "进度", "Progress"),
    ("track.refresh", "刷新", "Refresh"),
    ("track.eta", "预计送达时间", "Expected delivery time"),
    ("track.eta_about", "约", "about"),
    (
        "track.eta_planned",
        "按配送路线的计划时间估算，实际可能提前或推迟。",
        "From the squad's planned route; it may be earlier or later.",
    ),
    (
        "track.eta_progress",
        "已按配送小分队目前的进度调整（比计划晚 {n} 分钟）。",
        "Adjusted for the squad's progress so far ({n} min behind plan).",
    ),
    (
        "track.eta_ahead",
        "已按配送小分队目前的进度调整（比计划早 {n} 分钟）。",
        "Adjusted for the squad's progress so far ({n} min ahead of plan).",
    ),
    ("track.eta_soon", "马上就到", "any minute now"),
    ("track.delivered_at", "送达时间", "Delivered at"),
    // Accounts.
    ("login.title", "工作人员登录", "Staff sign-in"),
    (
        "login.intro",
        "协调员和配送小分队成员在此登录。居民申请配送不需要登录。",
        "Coordinators and delivery squad members sign in here. Residents do not need to sign in to request supplies.",
    ),
    ("login.username", "用户名", "Username"),
    ("login.password", "密码", "Password"),
    ("login.submit", "登录", "Sign in"),
    (
        "login.wrong",
        "用户名或密码不对。多次输错后账号会被暂时锁定。",
        "Wrong username or password. After several wrong tries the account is locked for a while.",
    ),
    (
        "login.missing",
        "请填写用户名和密码。",
        "Enter your username and password.",
    ),
    (
        "login.expired",
        "登录页面已过期，请重新输入后登录。",
        "The sign-in page had expired. Please enter your details again.",
    ),
    (
        "login.link_invalid",
        "这个登录链接无效：可能已过期或已被收回。请向协调员要新的二维码，或用账号密码登录。",
        "This sign-in link is not valid: it may have expired or been revoked. Ask your coordinator for a new QR code, or sign in with your password.",
    ),
    (
        "login.squad_hint",
        "小分队成员也可以扫描路线单上的二维码直接登录。",
        "Squad members can also sign in by scanning the QR code on their route sheet.",
    ),
    ("account.title", "我的账号", "My account"),
    ("account.name", "姓名", "Name"),
    ("account.role", "身份", "Role"),
    ("account.squad", "小分队", "Squad"),
    (
        "account.via_link",
        "您是通过小分队二维码登录的。",
        "You signed in with your squad's QR code.",
    ),
    ("account.logout", "退出登录", "Sign out"),
    (
        "account.links",
        "小分队登录二维码",
        "Squad sign-in QR codes",
    ),
    ("account.tokens", "API 令牌", "API tokens"),
    ("links.title", "小分队登录二维码", "Squad sign-in QR codes"),
    (
        "links.intro",
        "小分队成员用手机扫码即可打开本队的路线单，无需密码。二维码到期自动失效，也可随时收回（已登录的手机会立即退出）。",
        "Squad members scan the code with a phone to open their squad's route sheet, no password needed. A code stops working when it expires, and you can revoke it at any time (phones signed in with it are signed out at once).",
    ),
    ("links.issued", "新的登录二维码", "New sign-in code"),
    (
        "links.issued_hint",
        "此链接只显示这一次。请打印或发给本队成员，不要转发给其他人。",
        "This link is shown only once. Print it or send it to the squad's members; do not pass it on to anyone else.",
    ),
    (
        "links.none",
        "目前没有有效的二维码。",
        "No valid codes at the moment.",
    ),
    ("links.created", "创建于", "created"),
    ("links.expires", "有效期至", "valid until"),
    ("links.last_used", "最近使用", "last used"),
    ("links.revoke", "收回", "Revoke"),
    ("links.hours", "有效时长（小时）", "Valid for (hours)"),
    ("links.create", "生成二维码", "Make a code"),
    ("tokens.title", "API 令牌", "API tokens"),
    (
        "tokens.intro",
        "脚本用令牌代表您的账号访问 API（请求头 Authorization: Bearer …）。令牌与您的账号权限相同。",
        "Scripts use a token to call the API as your account (header Authorization: Bearer …). A token has your account's rights.",
    ),
    ("tokens.issued", "新的令牌", "New token"),
    (
        "tokens.issued_hint",
        "令牌只显示这一次，请立即保存到脚本的配置中。",
        "The token is shown only once: store it in the script's configuration now.",
    ),
    ("tokens.none", "还没有令牌。", "No tokens yet."),
    ("tokens.dead", "已失效", "no longer valid"),
    ("tokens.name", "用途", "What it is for"),
    (
        "tokens.days",
        "有效天数（不填为长期）",
        "Valid for days (empty: until revoked)",
    ),
    ("tokens.create", "生成令牌", "Make a token"),
    ("role.coordinator", "协调员", "Coordinator"),
    ("role.squad_member", "小分队成员", "Squad member"),
    // Errors.
    ("error.back", "返回首页", "Back to the start"),
    ("error.400.title", "请求有误", "Bad request"),
    (
        "error.400.body",
        "无法读取提交的内容，请返回重试。",
        "What was sent could not be read. Please go back and try again.",
    ),
    ("error.401.title", "请先登录", "Please sign in"),
    (
        "error.401.body",
        "这个页面只对工作人员开放，请先登录。",
        "This page is for staff only. Please sign in first.",
    ),
    ("error.403.title", "没有权限", "Not allowed"),
    (
        "error.403.body",
        "您的账号不能打开或修改这个内容。如果是表单过期，请刷新页面后重试。",
        "Your account may not open or change this. If the form had expired, reload the page and try again.",
    ),
    ("error.429.title", "操作太频繁", "Too many requests"),
    (
        "error.429.body",
        "提交得太快了，请在 {seconds} 秒后再试。您填写的内容没有保存。",
        "Too many requests in a short time. Please try again in {seconds} s. Nothing was saved.",
    ),
    ("error.404.title", "找不到页面", "Not found"),
    (
        "error.404.body",
        "没有找到这个页面或申请。请检查链接是否完整。",
        "This page or request does not exist. Check that the link is complete.",
    ),
    ("error.409.title", "内容已被修改", "Changed meanwhile"),
    (
        "error.409.body",
        "别人刚刚修改了这条记录，请刷新后再试。",
        "Someone else changed this just now. Refresh and try again.",
    ),
    ("error.413.title", "内容太长", "Too large"),
    (
        "error.413.body",
        "提交的内容超过了允许的大小。",
        "What was sent is larger than allowed.",
    ),
    ("error.415.title", "格式不支持", "Unsupported format"),
    (
        "error.415.body",
        "提交的内容格式不被支持。",
        "This content type is not supported.",
    ),
    ("error.500.title", "系统出错", "Something went wrong"),
    (
        "error.500.body",
        "系统出现问题，已记录。请稍后再试，急事请直接打社区电话。",
        "Something went wrong and it has been logged. Please try again later; for urgent needs call your community office.",
    ),
    (
        "error.503.title",
        "系统暂时不可用",
        "Temporarily unavailable",
    ),
    (
        "error.503.body",
        "数据库暂时无法连接，您的内容没有保存。请过一会儿再提交；急事请直接打社区电话。",
        "The database cannot be reached right now and nothing was saved. Please try again in a moment; for urgent needs call your community office.",
    ),
];

static INDEX: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> = LazyLock::new(|| {
    CATALOGUE
        .iter()
        .chain(dispatch::CATALOGUE)
        .chain(plans::CATALOGUE)
        .map(|&(k, zh, en)| (k, (zh, en)))
        .collect()
});

/// The message for `key`; an unknown key shows as itself (a test keeps that from shipping).
pub fn t(lang: Lang, key: &str) -> &str {
    match INDEX.get(key) {
        Some((zh, en)) => match lang {
            Lang::Zh => zh,
            Lang::En => en,
        },
        None => key,
    }
}

/// Why a request is left unserved, in words.
pub fn unserved_reason(lang: Lang, reason: crate::domain::UnservedReason) -> String {
    Tr::new(lang).code("unserved", reason.as_str())
}

/// True when the catalogue has `key`.
pub fn has(key: &str) -> bool {
    INDEX.contains_key(key)
}

/// A translator bound to one language, handed to templates.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Self {
        Tr { lang }
    }

    pub fn get<'a>(&self, key: &'a str) -> &'a str {
        match INDEX.get(key) {
            Some((zh, en)) => match self.lang {
                Lang::Zh => zh,
                Lang::En => en,
            },
            None => key,
        }
    }

    /// `prefix.code`, e.g. `category` + `medicine`.
    pub fn code(&self, prefix: &str, code: &str) -> String {
        self.get(&format!("{prefix}.{code}")).to_owned()
    }

    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn html_lang(&self) -> &'static str {
        self.lang.html_lang()
    }

    pub fn other_lang_code(&self) -> &'static str {
        self.lang.other().code()
    }
}

/// Why a field was refused, in words.
pub fn problem(lang: Lang, p: &Problem) -> String {
    let zh = lang == Lang::Zh;
    match p {
        Problem::Required => if zh { "请填写此项。" } else { "Please fill this in." }.into(),
        Problem::TooLong { max } => if zh { format!("太长了：最多 {max} 个字。") } else { format!("Too long: at most {max} characters.") },
        Problem::TooShort { min } => if zh { format!("太短了：至少 {min} 个字。") } else { format!("Too short: at least {min} characters.") },
        Problem::ControlCharacters => if zh { "含有不可见的控制字符，请重新输入。" } else { "Contains invisible control characters; please retype it." }.into(),
        Problem::Phone => if zh { "不是有效的电话号码：手机 11 位（如 13945678901），座机带区号（如 0451-86123456）。" } else { "Not a valid phone number: a mobile has 11 digits (13945678901), a landline needs its area code (0451-86123456)." }.into(),
        Problem::NotANumber => if zh { "请填写数字。" } else { "Please enter a number." }.into(),
        Problem::OutOfRange { min, max } => if zh { format!("请填写 {min} 到 {max} 之间的整数。") } else { format!("Enter a whole number from {min} to {max}.") },
        Problem::UnknownCode { allowed } => if zh { format!("不是可选的值，可选：{}。", allowed.join("、")) } else { format!("Not one of the choices: {}.", allowed.join(", ")) },
        Problem::NoItems => if zh { "请至少填写一种物品和数量。" } else { "Add at least one item with its quantity." }.into(),
        Problem::TooManyItems { max } => if zh { format!("一次最多 {max} 种物品，其余请再提交一份。") } else { format!("At most {max} items per request; file another for the rest.") },
        Problem::TimeFormat => if zh { "时间格式应为 时:分，如 09:00。" } else { "Write the time as HH:MM, e.g. 09:00." }.into(),
        Problem::TimeOrder => if zh { "结束时间应晚于开始时间。" } else { "The end must be after the start." }.into(),
        Problem::FilerRequired => if zh { "代他人申请时请留下您的姓名和电话。" } else { "When filing for someone else, leave your name and phone." }.into(),
        Problem::IdempotencyKey => if zh { "提交编号无效，请刷新页面后重新提交。" } else { "Invalid submission key (up to 64 letters, digits, - _ : .); reload the page and send again." }.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_parse() {
        assert_eq!(Lang::parse("en-US"), Some(Lang::En));
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(
            Lang::from_accept_language("fr-CH, en;q=0.8, zh;q=0.5"),
            Some(Lang::En)
        );
    }

    #[test]
    fn keys_are_unique_and_complete() {
        let mut seen = std::collections::HashSet::new();
        for (k, zh, en) in CATALOGUE
            .iter()
            .chain(dispatch::CATALOGUE)
            .chain(plans::CATALOGUE)
        {
            assert!(seen.insert(k), "duplicate key {k}");
            assert!(!zh.is_empty() && !en.is_empty(), "{k}");
        }
        for c in crate::domain::Category::ALL {
            assert!(has(&format!("category.{c}")));
        }
        for s in crate::domain::RequestStatus::ALL {
            assert!(has(&format!("status.{s}")));
            assert!(has(&format!("status.{s}.explain")));
        }
        for u in crate::domain::Urgency::ALL {
            assert!(has(&format!("urgency.{u}")));
        }
        for u in crate::domain::UnservedReason::ALL {
            assert!(has(&format!("unserved.{u}")));
        }
        for f in crate::domain::FiledBy::ALL {
            assert!(has(&format!("filed_by.{f}")));
        }
        for f in crate::domain::FailureReason::ALL {
            assert!(has(&format!("failure.{f}")));
        }
        for r in crate::domain::Role::ALL {
            assert!(has(&format!("role.{r}")));
        }
    }

    #[test]
    fn every_key_used_in_templates_exists() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let mut checked = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for part in text.split("t.get(\"").skip(1) {
                let key = &part[..part.find('"').unwrap()];
                assert!(
                    has(key),
                    "templates use `{key}`, missing from the catalogue"
                );
                checked += 1;
            }
        }
        assert!(checked > 20);
    }
}

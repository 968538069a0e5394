"""The words of the data-request pages (apply, receipt, review) in Chinese and English.

Pure data, apart from the interface strings of every page (`web.strings`) because only these
pages use them. `request_text(lang)` gives one language's.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Final

# China Standard Time: no daylight saving since 1991.
_BEIJING = timezone(timedelta(hours=8))

_ZH: Final[dict[str, str]] = {
    "apply_title": "申请数据",
    "apply_intro": "本数据集为有条件开放数据。请填写申请，数据提供部门将在规定期限内答复；"
    "获批后您将获得一个仅可读取本数据集、有效期有限的访问令牌。",
    "conditions": "开放条件",
    "name": "姓名",
    "organization": "单位（可不填）",
    "email": "电子邮箱",
    "phone": "电话",
    "contact_hint": "电子邮箱和电话至少填写一项。",
    "purpose": "用途",
    "purpose_hint": "请说明数据的用途和使用范围（20 至 2000 字）。",
    "fields": "所需字段",
    "period": "所需时间范围",
    "period_start": "起（YYYY 或 YYYY-MM）",
    "period_end": "止（YYYY 或 YYYY-MM）",
    "agree": "我已阅读并同意上述开放条件",
    "submit": "提交申请",
    "errors": "申请未提交：请改正标出的内容。",
    "receipt_title": "数据申请",
    "receipt_new": "申请已收到。请保存本页链接：它是您的回执，凭它查看办理状态和获批的访问令牌。",
    "state": "状态",
    "state_received": "已收到，待答复",
    "state_approved": "已同意",
    "state_denied": "不予开放",
    "state_withdrawn": "已撤回",
    "received_at": "收到时间",
    "due_at": "答复期限",
    "overdue": "已超过答复期限",
    "decided_at": "答复时间",
    "ground": "理由",
    "basis": "依据",
    "note": "说明",
    "token_once": "您的访问令牌（只显示这一次，请立即保存）：",
    "token_use": "读取数据时在请求头 Authorization 中发送该令牌。",
    "token_shown": "访问令牌已在首次查看时显示",
    "expires": "访问令牌有效期至",
    "withdraw": "撤回申请",
    "dataset": "数据集",
    "review_title": "数据申请审核",
    "login": "登录",
    "logout": "退出",
    "token": "审核令牌",
    "login_hint": "使用具有 review-requests 权限的 API 令牌登录。",
    "login_refused": "该令牌无效或无审核权限。",
    "applicant": "申请人",
    "contact": "联系方式",
    "approve": "同意",
    "deny": "不予开放",
    "days": "令牌有效天数",
    "none": "暂无申请。",
    "decided": "已办结",
    "waiting": "待答复",
    "receipt_private": "本页链接就是您的凭证：请勿转发或分享（聊天软件的链接预览也会打开它）。"
    "获批后访问令牌只显示一次，须点击按钮查看。",
    "withdrawn_at": "撤回时间",
    "ask": "咨询联系",
    "never": "长期有效",
    "token_docs": "也可下载 CSV、调用 DataStore 接口（datastore_search），用法见 API 文档。",
    "token_waiting": "申请已获同意。访问令牌只显示一次：请在方便保存时点击下面的按钮。",
    "token_show": "显示访问令牌",
    "token_lost": "如令牌遗失，请联系数据提供部门重新签发",
    "choose_ground": "请选择理由",
    "note_required": "说明（必填，将告知申请人）",
    "deny_refused": "未作出不予开放决定：请选择理由并填写说明。",
    "days_refused": "未同意：令牌有效天数应为 1 至 3650 的整数。",
    "issued_title": "已同意申请 {id}。访问令牌（只在此显示一次，申请人也可在回执页查看一次）：",
    "open_requests": "待答复的申请",
    "decided_requests": "已办结的申请",
    "same_contact": "同一联系方式的其他申请",
    "reviewer": "审核人（令牌）",
    "token_label": "访问令牌",
    "receipt_unknown": "没有与此回执对应的申请：请核对链接是否完整。"
    "回执遗失时，请联系数据提供部门，说明申请的数据集、日期和联系方式。",
    "extended": "答复期限已延长",
    "extend": "延长答复期限",
    "extend_days": "延长工作日数（1–15，仅限一次）",
    "extend_reason": "延期理由（必填，将告知申请人）",
    "extend_refused": "未延期：天数应为 1 至 15 的整数，并须填写理由（每件申请只能延期一次）。",
    "extended_by": "{days} 个工作日（{at}）：{reason}",
}

_EN: Final[dict[str, str]] = {
    "apply_title": "Apply for data",
    "apply_intro": "This dataset is open on conditions. Fill in the application; the data"
    " provider answers within the legal time limit. When approved you get an access token"
    " that reads this dataset only, for a limited time.",
    "conditions": "Conditions",
    "name": "Name",
    "organization": "Organisation (optional)",
    "email": "Email",
    "phone": "Phone",
    "contact_hint": "Give an email address, a phone number, or both.",
    "purpose": "Purpose",
    "purpose_hint": "What the data are for and how they will be used (20 to 2000 characters).",
    "fields": "Fields wanted",
    "period": "Period wanted",
    "period_start": "From (YYYY or YYYY-MM)",
    "period_end": "To (YYYY or YYYY-MM)",
    "agree": "I have read and agree to the conditions above",
    "submit": "Send the application",
    "errors": "The application was not sent: please correct the marked fields.",
    "receipt_title": "Data request",
    "receipt_new": "Your request was received. Keep the address of this page: it is your"
    " receipt, to follow the request and to collect the access token when approved.",
    "state": "State",
    "state_received": "received, awaiting an answer",
    "state_approved": "approved",
    "state_denied": "denied",
    "state_withdrawn": "withdrawn",
    "received_at": "Received",
    "due_at": "Answer due by",
    "overdue": "past the time limit for an answer",
    "decided_at": "Answered",
    "ground": "Ground",
    "basis": "Basis",
    "note": "Note",
    "token_once": "Your access token (shown this once only: keep it now):",
    "token_use": "Send it in the Authorization header when reading the data.",
    "token_shown": "The access token was shown at the first visit",
    "expires": "Access token valid until",
    "withdraw": "Withdraw the request",
    "dataset": "Dataset",
    "review_title": "Data request review",
    "login": "Log in",
    "logout": "Log out",
    "token": "Reviewer token",
    "login_hint": "Log in with an API token that holds review-requests.",
    "login_refused": "That token is not valid or may not review requests.",
    "applicant": "Applicant",
    "contact": "Contact",
    "approve": "Approve",
    "deny": "Deny",
    "days": "Token lifetime in days",
    "none": "No requests.",
    "decided": "decided",
    "waiting": "awaiting an answer",
    "receipt_private": "The address of this page is your key: do not forward or share it"
    " (a chat app's link preview opens it too). Once approved, the access token is shown"
    " once, after you press a button.",
    "withdrawn_at": "Withdrawn",
    "ask": "Questions to",
    "never": "no end",
    "token_docs": "CSV downloads and the DataStore API (datastore_search) take it too: see the"
    " API documentation.",
    "token_waiting": "Your request was approved. The access token is shown only once: press"
    " the button when you can keep it.",
    "token_show": "Show the access token",
    "token_lost": "If the token is lost, ask the data provider to issue it again",
    "choose_ground": "Choose a ground",
    "note_required": "Note (required; the applicant sees it)",
    "deny_refused": "Not denied: choose a ground and write a note.",
    "days_refused": "Not approved: the token lifetime is a whole number of days, 1 to 3650.",
    "issued_title": "Request {id} approved. Its access token (shown here once; the applicant"
    " can also see it once on the receipt page):",
    "open_requests": "Requests awaiting an answer",
    "decided_requests": "Decided requests",
    "same_contact": "Other requests from the same contact",
    "reviewer": "Reviewer (token)",
    "token_label": "Access token",
    "receipt_unknown": "No request has this receipt: check that the link is complete. If the"
    " receipt is lost, ask the data provider, naming the dataset, the day and your contact.",
    "extended": "Deadline extended",
    "extend": "Extend the deadline",
    "extend_days": "Working days to add (1–15, once only)",
    "extend_reason": "Reason (required; the applicant reads it)",
    "extend_refused": "Not extended: give 1 to 15 working days and a reason (a request is"
    " extended once only).",
    "extended_by": "by {days} working days ({at}): {reason}",
}

REQUEST_TEXT: Final[dict[str, dict[str, str]]] = {"zh": _ZH, "en": _EN}

# The application form's faults (the `faults` of `catalog.state.InvalidApplication`) in its own
# words; `required` stands for an empty field whatever its bounds.
_FAULTS_ZH: Final[dict[str, str]] = {
    "required": "请填写此项。",
    "unknown-field": "表单中有未知的项目。",
    "not-text": "应为文字。",
    "characters": "含有控制字符、格式字符或无法识别的字符，请删去。",
    "length": "应为 {low} 至 {high} 个字，现为 {count} 个。",
    "purpose-short": "过短：请至少写 10 个汉字（或 20 个字母）。",
    "email": "不是有效的电子邮箱（如 name@example.org）。",
    "phone": "不是有效的电话号码（如 13912345678、0851-12345678 或 +8613912345678）。",
    "contact": "请填写电子邮箱或电话（至少一项），以便答复。",
    "fields": "请至少选择一个字段。",
    "fields-many": "最多选择 {high} 个字段。",
    "fields-unknown": "本数据集没有这些字段：{shown}",
    "period": "请填写年份或年月：YYYY 或 YYYY-MM。",
    "period-order": "结束时间早于开始时间。",
    "agree": "请阅读开放条件并勾选同意。",
}
_FAULTS_EN: Final[dict[str, str]] = {
    "required": "Please fill this in.",
    "unknown-field": "The form holds an unknown item.",
    "not-text": "Must be text.",
    "characters": "Holds control, format or unknown characters: please remove them.",
    "length": "Must be {low} to {high} characters (now {count}).",
    "purpose-short": "Too short: at least 20 letters (or 10 Chinese characters).",
    "email": "Not an email address (name@example.org).",
    "phone": "Not a phone number (13912345678, 0851-12345678 or +8613912345678).",
    "contact": "Give an email address or a phone number (or both) so we can answer you.",
    "fields": "Choose at least one field.",
    "fields-many": "Choose at most {high} fields.",
    "fields-unknown": "This dataset has no such fields: {shown}",
    "period": "A year or a month: YYYY or YYYY-MM.",
    "period-order": "The period ends before it starts.",
    "agree": "Please read the conditions and tick to agree.",
}


def fault_words(code: str, figures: dict[str, str], lang: str) -> str:
    """One fault of the application form in `lang` (Chinese for anything unknown)."""
    wording = _FAULTS_EN if lang == "en" else _FAULTS_ZH
    if code == "length" and figures.get("count") == "0":
        code = "required"
    return wording.get(code, wording["unknown-field"]).format(**figures)


def request_text(lang: str) -> dict[str, str]:
    """The data-request pages' strings of `lang` (Chinese for anything unknown)."""
    return REQUEST_TEXT.get(lang, _ZH)


def beijing_time(stamp: str | None, lang: str = "zh") -> str:
    """A stored UTC time (`2026-12-22T15:59:59Z`) in Beijing time, to the second and named
    so: `2026-12-22 23:59:59（北京时间）`; "" for none."""
    if not stamp:
        return ""
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(_BEIJING)
    shown = moment.strftime("%Y-%m-%d %H:%M:%S")
    return f"{shown} Beijing time" if lang == "en" else f"{shown}（北京时间）"

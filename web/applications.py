"""The words of the data-request pages (apply, receipt, review) in Chinese and English.

Pure data, apart from the interface strings of every page (`web.strings`) because only these
pages use them. `request_text(lang)` gives one language's.
"""

from __future__ import annotations

from typing import Final

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
    "expires": "有效期至",
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
    "expires": "Valid until",
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
}

REQUEST_TEXT: Final[dict[str, dict[str, str]]] = {"zh": _ZH, "en": _EN}


def request_text(lang: str) -> dict[str, str]:
    """The data-request pages' strings of `lang` (Chinese for anything unknown)."""
    return REQUEST_TEXT.get(lang, _ZH)

"""Bad-record rules (BAD-1 decisions, BAD-2 ban) as pure functions."""

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Ban:
    barred: bool
    until: date | None
    message: str


def bad_2_ban(serious_record_dates: list[date], *, at: date, enabled: bool, years: int) -> Ban:
    """BAD-2 (draft 001, a policy parameter): an enterprise with a serious bad record may not
    take part in procurement for `years` years from the record's date (the day `until` is the
    first day it may take part again)."""
    if not enabled or not serious_record_dates:
        return Ban(False, None, "")
    until = max(serious_record_dates) + relativedelta(years=years)
    if at < until:
        return Ban(True, until, _("企业列入不良记录名单（%(recorded_on)s），%(years)s 年内（至 %(until)s 前）"
                                  "不得参与本省公立医疗机构采购") % {
            "recorded_on": f"{max(serious_record_dates):%Y-%m-%d}", "years": years, "until": f"{until:%Y-%m-%d}"})
    return Ban(False, until, "")


LISTING_SANCTIONS = ("suspend", "cancel")


def bad_1_decision(*, sanction: str, scope: str, severity: str, has_product: bool, product_kinds: list[str],
                   enterprise_is_manufacturer: bool) -> tuple[str, str] | None:
    """BAD-1 / 002 §38: is a bad-record decision well formed? None, or (field, Chinese
    message). `product_kinds`: the kinds of the products the decision names (the product for
    scope "product", the chosen products for "part")."""
    listing_sanction = sanction in LISTING_SANCTIONS
    if listing_sanction and severity != "serious":
        return "severity", _("暂停或取消挂网属情节严重的处理，须同时列入不良记录名单")
    if scope == "product":
        if listing_sanction and not has_product:
            return "product", _("暂停或取消挂网须指明涉及产品")
        return None
    if not listing_sanction:
        return "scope", _("限制或取消企业部分、全部产品挂网须选择“暂停挂网”或“取消挂网”")
    if not enterprise_is_manufacturer:
        return "enterprise", _("限制或取消产品挂网仅适用于生产企业")
    if scope == "part":
        if not product_kinds:
            return "products", _("请选择限制或取消挂网的产品")
        if any(kind != "consumable" for kind in product_kinds):
            return "products", _("限制或取消企业部分、全部产品挂网仅适用于医用耗材（苏医保发〔2020〕22号第三十八条）；药品按涉及产品处理")
    return None

"""Bad-record rules (BAD-1, BAD-2) as pure functions."""

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta


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
        return Ban(True, until, f"企业列入不良记录名单（{max(serious_record_dates):%Y-%m-%d}），"
                                f"{years} 年内（至 {until:%Y-%m-%d} 前）不得参与本省公立医疗机构采购")
    return Ban(False, until, "")

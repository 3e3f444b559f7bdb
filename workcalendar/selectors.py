from django.utils import timezone

from .services import year_is_known


def provisional_banner():
    """Text for regulators when this or next year's calendar is not confirmed (None if fine)."""
    today = timezone.localdate()
    missing = [y for y in (today.year, today.year + 1) if not year_is_known(y)]
    if not missing:
        return None
    years = "、".join(str(y) for y in missing)
    return f"{years} 年的法定节假日安排尚未确认：涉及该年度的期限暂按周一至周五计算（暂定），请省医保局在“工作日历”中录入并确认。"

"""Declarations of every [policy parameter] in RULES.md (keys grouped by rule section)."""

from .registry import define

# §0 / foundation
define("calendar.reminder_month", "int", 11, "§0", "提醒确认次年日历的月份", min=1, max=12)

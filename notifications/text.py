"""Notification text kept as its Chinese msgid and parameters, so that each reader sees it in
the language they chose when they read it (issue 15 item 12), not in the language of the job
that sent it. The stored `title`/`body` columns keep the Chinese rendering (search, old rows,
exports); `Notification.i18n` keeps what is needed to render it again."""

import datetime as dt

from django.conf import settings
from django.utils import formats, translation
from django.utils.functional import Promise
from django.utils.translation import gettext


class Text:
    """`Text(gettext_noop("请于 %(due)s 前报送"), due=as_day(d))`: a message to translate when shown.
    Parameters: plain values (str(value)), lazy gettext strings (translated when shown),
    `as_month(d)` / `as_day(d)` / `as_month_day(d)` (formatted in the reader's language) or another Text."""

    def __init__(self, msgid: str, **params):
        self.msgid, self.params = msgid, params

    def render(self) -> str:
        return gettext(self.msgid) % {k: _render(v) for k, v in self.params.items()} if self.params \
            else gettext(self.msgid)

    def __str__(self):
        return self.render()

    def as_json(self) -> dict:
        return {"msgid": self.msgid, "params": {k: _encode(v) for k, v in self.params.items()}}

    @classmethod
    def from_json(cls, data: dict) -> "Text":
        return cls(data["msgid"], **{k: _decode(v) for k, v in data.get("params", {}).items()})


class _Date:
    def __init__(self, value: dt.date, fmt: str):
        self.value, self.fmt = value, fmt


def as_month(value: dt.date) -> _Date:
    """A month shown as "2026年10月" / "October 2026"."""
    return _Date(value, "YEAR_MONTH_FORMAT")


def as_day(value: dt.date) -> _Date:
    """A date shown as "2026年10月8日" / "Oct. 8, 2026"."""
    return _Date(value, "DATE_FORMAT")


def as_month_day(value: dt.date) -> _Date:
    """A day of the year shown as "10月8日" / "October 8"."""
    return _Date(value, "MONTH_DAY_FORMAT")


def _render(value):
    if isinstance(value, _Date):
        return formats.date_format(value.value, value.fmt)
    return str(value)


def _encode(value):
    if isinstance(value, _Date):
        return {"date": value.value.isoformat(), "format": value.fmt}
    if isinstance(value, Text):
        return {"text": value.as_json()}
    if _lazy_msgid(value):
        return {"msgid": _lazy_msgid(value)}  # a gettext_lazy label: translated when shown
    return str(value)


def _lazy_msgid(value) -> str | None:
    """The msgid of a `gettext_lazy("…")` proxy (not of pgettext/ngettext: those have more args)."""
    args = getattr(value, "_args", None) if isinstance(value, Promise) else None
    return str(args[0]) if args and len(args) == 1 and isinstance(args[0], str) else None


def _decode(value):
    if isinstance(value, dict):
        if "date" in value:
            return _Date(dt.date.fromisoformat(value["date"]), value["format"])
        if "text" in value:
            return Text.from_json(value["text"])
        if "msgid" in value:
            return Text(value["msgid"])
    return value


def stored(text) -> tuple[str, dict | None]:
    """(the Chinese text for the column, the JSON to render it again or None for a plain str)."""
    if _lazy_msgid(text):
        text = Text(_lazy_msgid(text))  # gettext_lazy("…"): a constant message
    if isinstance(text, Text):
        with translation.override(settings.LANGUAGE_CODE):
            return text.render(), text.as_json()
    return str(text), None


def shown(plain: str, data: dict | None) -> str:
    """The text in the active language: rendered again when it was kept as msgid + params."""
    return Text.from_json(data).render() if data else plain


def as_choice(obj, field: str):
    """The label of `obj.<field>`'s choice, kept as its gettext_lazy msgid (translated when shown)."""
    value = getattr(obj, field)
    return dict(obj._meta.get_field(field).flatchoices).get(value, value)

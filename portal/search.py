"""The results page of the header search (issue 15 item 10): checks the query, then asks every
list through the `core.search` registry. The page shows each kind with its count and first rows;
"查看全部" opens the kind's own list with the query applied, so paging, filters and export are
the list's."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from core.search import SearchGroup, search_all

MIN_LENGTH = 2
MAX_LENGTH = 100  # longer than any code, name or order number: longer input is a paste error
HITS_PER_KIND = 5

HINT = _("输入国家医保编码、产品名称、拼音首字母（如 amxl）、订单号或医疗机构名称，至少 %(n)d 个字符。")
TOO_SHORT = _("搜索内容太短：请至少输入 %(n)d 个字符。")
ONLY_SPACES = _("搜索内容只有空格：请输入要查找的编码、名称或单号。")
TOO_LONG = _("搜索内容过长（%(len)d 个字符）：最多 %(n)d 个字符。")
BAD_CHARS = _("搜索内容含有无法识别的控制字符，请重新输入。")


@dataclass
class SearchPage:
    q: str = ""  # the checked query ("" when refused)
    message: str = ""  # why nothing was searched (a refusal or the hint)
    refused: bool = False  # the input was wrong (not merely empty)
    groups: list[SearchGroup] | None = None

    @property
    def total(self) -> int:
        return sum(g.count for g in self.groups or ())


def check_query(raw: str) -> tuple[str, str, bool]:
    """(query, message, refused): the stripped query when it may be searched, else "" and why.
    Decided on the text alone, before any database query."""
    if len(raw) > MAX_LENGTH:
        return "", str(TOO_LONG) % {"len": len(raw), "n": MAX_LENGTH}, True
    if any(c < " " and not c.isspace() for c in raw):  # NUL etc.: PostgreSQL refuses them
        return "", str(BAD_CHARS), True
    q = " ".join(raw.split())
    if not q:
        return "", str(ONLY_SPACES) if raw else str(HINT) % {"n": MIN_LENGTH}, bool(raw)
    if len(q) < MIN_LENGTH:
        return "", str(TOO_SHORT) % {"n": MIN_LENGTH}, True
    return q, "", False


def search_page(user, raw: str) -> SearchPage:
    q, message, refused = check_query(raw)
    if not q:
        return SearchPage(message=message, refused=refused)
    return SearchPage(q=q, groups=search_all(user, q, HITS_PER_KIND))

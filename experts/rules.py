"""Pure rule checks of the expert pool and negotiations (no database access)."""

import random
from decimal import Decimal

from django.utils.translation import gettext as _

from core import parsing

CATEGORY_ORDER = ("insurance", "clinical", "pharmacy", "management")


def draw_experts(seed: int, candidates: dict[str, list[int]], per_category: dict[str, int]) -> dict[str, list[int]]:
    """EXP-1: draw `per_category[c]` ids at random from `candidates[c]`.

    Deterministic for a given seed: one random.Random(seed) is used over the categories in
    the fixed order CATEGORY_ORDER, each candidate list sorted ascending first. The result
    per category is sorted. The caller checks there are enough candidates."""
    rng = random.Random(seed)
    result = {}
    for category in CATEGORY_ORDER:
        n = int(per_category.get(category, 0) or 0)
        if n <= 0:
            continue
        pool = sorted(candidates.get(category, []))
        result[category] = sorted(rng.sample(pool, n))
    return result


def shortfalls(candidates: dict[str, list[int]], per_category: dict[str, int]) -> dict[str, tuple[int, int]]:
    """EXP-1: categories with fewer eligible experts than requested: {category: (wanted, available)}."""
    return {
        c: (int(n), len(candidates.get(c, [])))
        for c, n in per_category.items()
        if int(n or 0) > len(candidates.get(c, []))
    }


def parse_price(value) -> Decimal | None:
    """EXP-2: an offer/price must be a positive number with at most 4 decimals; None if not."""
    return parsing.decimal_or_none(value, places=parsing.PRICE_PLACES, positive=True)


def final_price_allowed(final_price: Decimal, last_enterprise_offer: Decimal | None) -> bool:
    """EXP-2: the agreed price may not exceed the enterprise's last offer (the experts never
    agree above what the enterprise itself offered)."""
    return last_enterprise_offer is not None and final_price <= last_enterprise_offer


def redraw_allowed(redraws_done: int, max_redraws: int) -> bool:
    """EXP-1: a session may be redrawn at most `max_redraws` times (exp.max_redraws)."""
    return redraws_done < max_redraws


def review_conclusion(verdicts: dict[int, str], drawn: list[int], pass_percent: Decimal) -> tuple[str | None, str]:
    """EXP-1: the review's conclusion from the drawn experts' verdicts ({expert id: "pass"|"fail"}).

    None while a drawn expert has not given a verdict. Passed when the share of "pass"
    verdicts among the drawn experts is strictly above `pass_percent` (exp.review_pass_percent,
    default 50: a majority); otherwise failed. Returns (outcome, explanation)."""
    missing = [pk for pk in drawn if pk not in verdicts]
    if not drawn:
        return None, _("场次尚未抽取专家")
    if missing:
        return None, _("尚有 %(count)s 位抽取专家未提交评审意见") % {"count": len(missing)}
    passes = sum(1 for pk in drawn if verdicts[pk] == "pass")
    share = Decimal(passes) * 100 / Decimal(len(drawn))
    facts = {"drawn": len(drawn), "passes": passes, "share": share.quantize(Decimal("0.1")), "limit": pass_percent}
    if share > Decimal(pass_percent):
        return "passed", _("%(drawn)s 位抽取专家中 %(passes)s 位同意（%(share)s%%），超过 %(limit)s%%，评审通过") % facts
    return "failed", _("%(drawn)s 位抽取专家中 %(passes)s 位同意（%(share)s%%），未超过 %(limit)s%%，评审未通过") % facts


from collections import defaultdict
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Product, ProductKind
from policy.services import get as policy

from .models import (
    BadRecord,
    BadRecordScope,
    BadRecordSeverity,
    DistributionRelationship,
    Qualification,
    QualificationStatus,
)
from .rules import Ban, bad_2_ban


def distributor_for(manufacturer, institution):
    """QUA-2 / ORD-1: the distributor the manufacturer chose for the institution's area — a
    relationship for the institution's county wins over one for its whole city; among equals
    the most recently accepted. None when the manufacturer has chosen no one there."""
    candidates = (
        DistributionRelationship.objects.active()
        .filter(manufacturer=manufacturer, city_id=institution.city_id)
        .filter(Q(counties__isnull=True) | Q(counties=institution.county_id))
        .select_related("distributor")
        .prefetch_related("counties")
        .order_by("-answered_at", "-id")
        .distinct()
    )
    best = None
    for rel in candidates:
        county_specific = bool(rel.counties.all())
        if county_specific:
            return rel.distributor
        best = best or rel.distributor
    return best


def qualification_blockers(enterprise, at):
    """QUA-1: (qualification, Chinese message) for each of the enterprise's qualifications in
    effect that is not approved, not yet valid, or expired on `at`."""

    out = []
    for q in Qualification.objects.in_effect().filter(enterprise=enterprise).order_by("kind", "number", "id"):
        names = {"label": q.label, "number": q.number}
        if q.status == QualificationStatus.PENDING:
            out.append((q, _("资质“%(label)s（%(number)s）”尚未通过审核") % names))
        elif q.status == QualificationStatus.REJECTED:
            out.append((q, _("资质“%(label)s（%(number)s）”审核未通过（%(reason)s），请修改后重新提交")
                        % {**names, "reason": q.review_reason}))
        elif q.valid_until is not None and q.valid_until < at:
            out.append((q, _("资质“%(label)s（%(number)s）”已于 %(date)s 过期")
                        % {**names, "date": f"{q.valid_until:%Y-%m-%d}"}))
        elif q.valid_from > at:
            out.append((q, _("资质“%(label)s（%(number)s）”自 %(date)s 起生效，尚未生效")
                        % {**names, "date": f"{q.valid_from:%Y-%m-%d}"}))
    return out


def blocking_qualifications(enterprise, at=None, *, require_any=False):
    """QUA-1: Chinese messages naming each expired or unreviewed qualification of the
    enterprise on `at` (today by default) — e.g. "资质“药品生产许可证（苏20160001）”已于
    2026-06-30 过期". An empty list means nothing blocks new applications. A qualification
    replaced by an approved renewal no longer counts. With `require_any`, an enterprise with no
    approved qualification in force is also blocked."""


    at = at or timezone.localdate()
    messages = [message for _q, message in qualification_blockers(enterprise, at)]
    if require_any and not messages and not Qualification.objects.filter(
        enterprise=enterprise, status=QualificationStatus.APPROVED, valid_from__lte=at
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=at)).exists():
        messages.append(_("企业尚未登记经审核通过的资质"))
    return messages


def expiring_qualifications(at, days, user=None):
    """QUA-1: approved qualifications in effect whose validity ends within `days` after `at`
    (only those `user` may see, when given: the list page and the home page's to-do)."""


    base = Qualification.objects.visible_to(user) if user is not None else Qualification.objects
    return (
        base.filter(status=QualificationStatus.APPROVED, valid_until__gte=at,
                                     valid_until__lte=at + timedelta(days=days))
        .select_related("enterprise")
        .order_by("valid_until", "id")
    )


def bad_record_ban(enterprise, at=None):
    """BAD-2 — the ONE question every channel asks before an enterprise sells (listing
    applications, negotiations, orders of its products, filings, VBP bids): is `enterprise`
    barred on `at` (today by default)? Returns a `qualifications.rules.Ban` (`barred`, `until`,
    Chinese `message`). Off unless the province switches `bad.ban_enabled` on (the final texts
    dropped the draft's bar); then a serious (listed) record in force bars it for
    `bad.ban_years`. `qualifications.services.require_not_barred` raises the RuleViolation."""
    enterprise_id = getattr(enterprise, "pk", enterprise)
    return bad_record_bans([enterprise_id], at)[enterprise_id]


def bad_record_bans(enterprise_ids, at=None) -> dict:
    """BAD-2 for many enterprises at once (an order batch names hundreds of manufacturers):
    {enterprise id: Ban}, with one policy lookup and one query instead of one per enterprise."""




    at = at or timezone.localdate()
    ids = set(enterprise_ids)
    if not policy("bad.ban_enabled", at=at):
        return {eid: Ban(False, None, "") for eid in ids}
    dates = defaultdict(list)
    for eid, recorded_on in (
        BadRecord.objects.in_force()
        .filter(enterprise_id__in=ids, severity=BadRecordSeverity.SERIOUS, recorded_on__lte=at)
        .values_list("enterprise_id", "recorded_on")
    ):
        dates[eid].append(recorded_on)
    years = int(policy("bad.ban_years", at=at))
    return {eid: bad_2_ban(dates[eid], at=at, enabled=True, years=years) for eid in ids}


def bad_record_products(record):
    """BAD-1: the products whose listings a record's suspension/cancellation covers — its
    product; the chosen products (part); or every consumable of the enterprise (all, 002 §38)."""


    if record.scope == BadRecordScope.PART:
        return Product.objects.filter(pk__in=record.products.values("pk"))
    if record.scope == BadRecordScope.ALL:
        return Product.objects.filter(manufacturer_id=record.enterprise_id, kind=ProductKind.CONSUMABLE)
    return Product.objects.filter(pk=record.product_id) if record.product_id else Product.objects.none()

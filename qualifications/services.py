"""Writes of qualifications (QUA-1) and distribution relationships (QUA-2). Each takes the
acting user, checks permission and rules, runs in a transaction inside an audit context and
returns the object or raises a core.errors domain error."""

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.audit import audit_context
from core.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from core.permissions import require
from core.uploads import check_upload
from notifications import recipients
from notifications.services import notify
from notifications.text import Text, as_choice
from parties.models import Organisation, OrgKind, Region
from policy import services as policy
from policy.registry import PARAMETERS

from . import rules
from .models import (
    BadRecord,
    BadRecordKind,
    BadRecordSanction,
    BadRecordScope,
    BadRecordSeverity,
    BadRecordSource,
    DistributionRelationship,
    DistributionStatus,
    Qualification,
    QualificationKind,
    QualificationStatus,
)
from .selectors import bad_record_ban, expiring_qualifications
from .signals import bad_record_entered

REMINDER_DAYS_KEY = "qua.expiry_reminder_days"
DEFAULT_REMINDER_DAYS = 30


# ------------------------------------------------------------------ qualifications (QUA-1)

def _require_own(user, q):
    if q.enterprise_id != user.organisation_id:
        raise NotFound(_("资质不存在或无权查看"))


def _lock_own(user, q):
    """The enterprise's own qualification `q`, locked for the change (another's is NotFound)."""
    q = Qualification.objects.select_for_update().filter(pk=q.pk).first()
    if q is None:
        raise NotFound(_("资质不存在或无权查看"))
    _require_own(user, q)
    return q


def _check_values(kind, name, number, valid_from, valid_until):
    if kind not in QualificationKind.values:
        raise InvalidInput(_("请选择资质类型"), "kind")
    if kind == QualificationKind.OTHER and not (name or "").strip():
        raise InvalidInput(_("其他资质须填写资质名称"), "name")
    number = (number or "").strip()
    if not number:
        raise InvalidInput(_("请填写证书编号"), "number")
    if not isinstance(valid_from, date):
        raise InvalidInput(_("请填写有效期起始日期"), "valid_from")
    if valid_until is not None and valid_until < valid_from:
        raise RuleViolation("QUA-1", _("有效期至不得早于有效期起"), "valid_until")
    return number


def _check_file(file):
    if file is None:
        raise InvalidInput(_("请上传证明文件（PDF、JPG 或 PNG）"), "file")
    check_upload(file, field="file")


def _save(q):
    try:
        with transaction.atomic():
            q.save()
    except IntegrityError:
        raise Conflict(_("本企业已登记编号为 %(number)s 的%(kind)s") % {
            "number": q.number, "kind": q.get_kind_display()}, "number") from None


def _notify_reviewers(q, title):
    notify(recipients.province_regulators(), kind="qualification_review", title=title,
           body=Text(gettext_noop("%(enterprise)s：%(qualification)s"), enterprise=q.enterprise, qualification=q), target=q, dedupe_key=f"qua-review:{q.pk}:{q.submitted_at.isoformat()}")


def qualification_submit(user, *, kind, number, valid_from, valid_until=None, file=None, name="",
                         replaces: Qualification | None = None) -> Qualification:
    """QUA-1: an enterprise declares a licence/certificate; it waits for the province's review.
    `replaces`: the enterprise's older qualification this one renews (withdrawn on approval)."""
    require(user, "qualifications.submit_qualification", message=_("仅生产企业或配送企业可申报资质"))
    number = _check_values(kind, name, number, valid_from, valid_until)
    _check_file(file)
    if replaces is not None:
        _require_own(user, replaces)
        if replaces.status == QualificationStatus.WITHDRAWN:
            raise Conflict(_("被替换的资质已撤回"), "replaces")
    with transaction.atomic(), audit_context(user, reason="申报资质"):
        q = Qualification(
            enterprise=user.organisation, kind=kind, name=(name or "").strip(), number=number,
            valid_from=valid_from, valid_until=valid_until, file=file, replaces=replaces,
            submitted_by=user, submitted_at=timezone.now(),
        )
        _save(q)
        _notify_reviewers(q, Text(gettext_noop("新资质待审核：%(qualification)s"), qualification=q))
    return q


def qualification_change(user, q: Qualification, *, kind=None, number=None, valid_from=None,
                         valid_until=..., file=None, name=None) -> Qualification:
    """QUA-1: the enterprise changes its qualification; the change goes back to review."""
    require(user, "qualifications.submit_qualification", message=_("仅生产企业或配送企业可申报资质"))
    with transaction.atomic():
        q = _lock_own(user, q)
        if q.status == QualificationStatus.WITHDRAWN:
            raise Conflict(_("已撤回的资质不能修改，请重新申报"), None)
        kind = q.kind if kind is None else kind
        name = q.name if name is None else name
        valid_from = q.valid_from if valid_from is None else valid_from
        valid_until = q.valid_until if valid_until is ... else valid_until
        number = _check_values(kind, name, q.number if number is None else number, valid_from, valid_until)
        if file is not None:
            _check_file(file)
            q.file = file
        q.kind, q.name, q.number, q.valid_from, q.valid_until = kind, (name or "").strip(), number, valid_from, valid_until
        q.status = QualificationStatus.PENDING
        q.reviewed_by = None
        q.reviewed_at = None
        q.review_reason = ""
        q.submitted_by = user
        q.submitted_at = timezone.now()
        with audit_context(user, reason="变更资质（重新送审）"):
            _save(q)
            _notify_reviewers(q, Text(gettext_noop("资质变更待审核：%(qualification)s"), qualification=q))
    return q


def can_review(user) -> bool:
    return bool(user and user.is_authenticated and user.is_province)


def qualification_review(user, q: Qualification, *, approve: bool, reason: str = "") -> Qualification:
    """QUA-1: the provincial regulator approves or rejects (with a reason) a pending
    qualification. Approving a renewal withdraws the qualification it replaces."""
    if not can_review(user):
        raise Forbidden(_("仅省医保局可审核企业资质"))
    reason = (reason or "").strip()
    if not approve and not reason:
        raise InvalidInput(_("驳回须填写理由"), "reason")
    with transaction.atomic():
        q = Qualification.objects.select_for_update().filter(pk=q.pk).select_related("enterprise").first()
        if q is None:
            raise NotFound(_("资质不存在"))
        if q.status != QualificationStatus.PENDING:
            raise Conflict(_("该资质当前状态为“%(status)s”，不能审核") % {"status": q.get_status_display()}, None)
        with audit_context(user, reason=reason or ("审核通过" if approve else "审核驳回")):
            q.status = QualificationStatus.APPROVED if approve else QualificationStatus.REJECTED
            q.reviewed_by = user
            q.reviewed_at = timezone.now()
            q.review_reason = reason
            q.save()
            if approve and q.replaces_id:
                old = Qualification.objects.select_for_update().get(pk=q.replaces_id)
                if old.status != QualificationStatus.WITHDRAWN:
                    old.status = QualificationStatus.WITHDRAWN
                    old.save(update_fields=["status"])
            notify(recipients.users_of(q.enterprise), kind="qualification_reviewed",
                   title=Text(gettext_noop("资质已审核通过")) if approve
                   else Text(gettext_noop("资质被驳回：%(reason)s"), reason=reason[:194]), body=str(q), target=q,
                   level="info" if approve else "warning",
                   dedupe_key=f"qua-reviewed:{q.pk}:{q.reviewed_at.isoformat()}")
    return q


def qualification_withdraw(user, q: Qualification, reason: str) -> Qualification:
    """QUA-1: the enterprise withdraws a qualification it no longer holds (kept as history)."""
    require(user, "qualifications.submit_qualification", message=_("仅生产企业或配送企业可申报资质"))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请填写撤回理由"), "reason")
    with transaction.atomic():
        q = _lock_own(user, q)
        if q.status == QualificationStatus.WITHDRAWN:
            raise Conflict(_("该资质已撤回"), None)
        with audit_context(user, reason=reason):
            q.status = QualificationStatus.WITHDRAWN
            q.save()
    return q


def reminder_days(at=None) -> int:
    if REMINDER_DAYS_KEY in PARAMETERS:
        return int(policy.get(REMINDER_DAYS_KEY, at=at))
    return DEFAULT_REMINDER_DAYS


def remind_expiring(at: date | None = None) -> int:
    """QUA-1 daily job: remind each enterprise of its approved qualifications expiring within
    30 days (once per qualification and expiry date: dedupe_key), and warn on the day after
    expiry. Returns the number of notifications created."""
    at = at or timezone.localdate()
    days = reminder_days(at)
    sent = 0
    with audit_context(reason="资质到期提醒"):
        for q in expiring_qualifications(at, days):
            left = (q.valid_until - at).days
            sent += len(notify(
                recipients.users_of(q.enterprise), kind="qualification_expiring", level="warning",
                title=Text(gettext_noop("资质即将到期：%(qualification)s"), qualification=q),
                body=Text(gettext_noop("资质“%(qualification)s”将于 %(date)s 到期（还剩 %(left)s 天）。"
                                       "到期后将无法提交新的挂网申请，请及时申报新证。"),
                          qualification=q, date=f"{q.valid_until:%Y-%m-%d}", left=left),
                target=q, dedupe_key=f"qua-expiring:{q.pk}:{q.valid_until.isoformat()}",
            ))
        expired = Qualification.objects.filter(
            status=QualificationStatus.APPROVED, valid_until__lt=at, valid_until__gte=at - timedelta(days=7)
        ).select_related("enterprise")
        for q in expired:
            sent += len(notify(
                recipients.users_of(q.enterprise), kind="qualification_expired", level="warning",
                title=Text(gettext_noop("资质已过期：%(qualification)s"), qualification=q),
                body=Text(gettext_noop("资质“%(qualification)s”已于 %(date)s 过期，新的挂网申请将被拦截，请尽快申报新证。"),
                          qualification=q, date=f"{q.valid_until:%Y-%m-%d}"),
                target=q, dedupe_key=f"qua-expired:{q.pk}:{q.valid_until.isoformat()}",
            ))
    return sent


# ------------------------------------------------------------------ distribution (QUA-2)

def _locked_rel(rel):
    locked = DistributionRelationship.objects.select_for_update().filter(pk=rel.pk).first()
    if locked is None:
        raise NotFound(_("配送关系不存在或无权查看"))
    return locked


def distribution_propose(user, distributor: Organisation, city: Region, counties=(), note: str = ""):
    """QUA-2: a manufacturer chooses a distributor for a city (or some of its counties); the
    distributor must accept before the relationship is in force."""
    require(user, "qualifications.propose_distribution", message=_("仅生产企业可选择配送企业"))
    if distributor is not None and distributor.pk == user.organisation_id:
        return distribution_self_deliver(user, city, counties, note)
    if distributor is None or distributor.kind != OrgKind.DISTRIBUTOR:
        raise InvalidInput(_("请选择配送企业"), "distributor")
    if not distributor.is_active:
        raise InvalidInput(_("该配送企业已停用"), "distributor")
    city, counties = _check_area(city, counties)
    with transaction.atomic(), audit_context(user, reason="选择配送企业"):
        try:
            with transaction.atomic():
                rel = DistributionRelationship.objects.create(
                    manufacturer=user.organisation, distributor=distributor, city=city, proposed_by=user,
                    note=(note or "").strip(),
                )
        except IntegrityError:
            raise Conflict(_("与%(distributor)s在%(city)s已有待确认或生效的配送关系") % {
                "distributor": distributor, "city": city.name}, "distributor") from None
        if counties:
            rel.counties.set(counties)
        notify(recipients.users_of(distributor), kind="distribution_proposed",
               title=Text(gettext_noop("%(manufacturer)s邀请贵司配送（%(city)s）"), manufacturer=user.organisation,
                          city=city.name), target=rel,
               url=_distribution_url(), dedupe_key=f"dist-proposed:{rel.pk}")
    return rel


def distribution_self_deliver(user, city: Region, counties=(), note: str = ""):
    """QUA-2 (000 annex §七(十八), 002 §35 "自行配送"): the manufacturer names itself as the
    distributor for a city (or some of its counties). There is no one to accept, so the
    relationship is in force at once; orders of its products there are routed to it and it
    confirms and ships those lines itself."""
    require(user, "qualifications.propose_distribution", message=_("仅生产企业可登记自行配送"))
    own = user.organisation
    city, counties = _check_area(city, counties)
    with transaction.atomic(), audit_context(user, reason="QUA-2 登记自行配送"):
        try:
            with transaction.atomic():
                now = timezone.now()
                rel = DistributionRelationship.objects.create(
                    manufacturer=own, distributor=own, city=city, proposed_by=user,
                    status=DistributionStatus.ACTIVE, answered_at=now, answered_by=user,
                    note=(note or "").strip() or "自行配送",
                )
        except IntegrityError:
            raise Conflict(_("本企业在%(city)s已登记自行配送") % {"city": city.name}, "city") from None
        if counties:
            rel.counties.set(counties)
    return rel


def _check_area(city, counties):
    if city is None or city.level != Region.Level.CITY:
        raise InvalidInput(_("请选择设区市"), "city")
    counties = list(counties or ())
    wrong = [c for c in counties if c.level != Region.Level.COUNTY or c.parent_id != city.pk]
    if wrong:
        raise InvalidInput(_("“%(name)s”不属于%(city)s") % {"name": wrong[0].name, "city": city.name}, "counties")
    return city, counties


def _distribution_url():
    return reverse("qualifications:distribution_list")


def distribution_answer(user, rel: DistributionRelationship, accept: bool, note: str = ""):
    """QUA-2: only the named distributor accepts or declines a proposed relationship. Anyone
    else: NotFound (it is not theirs to see) or Forbidden (the manufacturer); nothing changes."""
    if not (user and user.is_authenticated):
        raise Forbidden(_("请先登录"))
    with transaction.atomic():
        rel = _locked_rel(rel)
        if user.organisation_id not in (rel.manufacturer_id, rel.distributor_id):
            raise NotFound(_("配送关系不存在或无权查看"))
        require(user, "qualifications.answer_relationship", rel, message=_("只有被选择的配送企业可以确认或拒绝"))
        if rel.status != DistributionStatus.PROPOSED:
            raise Conflict(_("该配送关系当前状态为“%(status)s”，不能确认或拒绝") % {"status": rel.get_status_display()}, None)
        note = (note or "").strip()
        if not accept and not note:
            raise InvalidInput(_("拒绝须填写理由"), "note")
        with audit_context(user, reason=note or ("接受配送" if accept else "拒绝配送")):
            rel.status = DistributionStatus.ACTIVE if accept else DistributionStatus.DECLINED
            rel.answered_at = timezone.now()
            rel.answered_by = user
            if note:
                rel.note = note
            rel.save()
            notify(recipients.users_of(rel.manufacturer), kind="distribution_answered",
                   title=Text(gettext_noop("%(distributor)s已接受配送（%(city)s）") if accept
                              else gettext_noop("%(distributor)s已拒绝配送（%(city)s）"), distributor=rel.distributor, city=rel.city),
                   body=note, target=rel, url=_distribution_url(), dedupe_key=f"dist-answered:{rel.pk}")
    return rel


def distribution_end(user, rel: DistributionRelationship, reason: str):
    """QUA-2: either side ends an active relationship (the manufacturer may also withdraw a
    proposal). The row stays as history."""
    if not (user and user.is_authenticated):
        raise Forbidden(_("请先登录"))
    reason = (reason or "").strip()
    with transaction.atomic():
        rel = _locked_rel(rel)
        if not user.has_perm("qualifications.end_relationship", rel):
            raise NotFound(_("配送关系不存在或无权查看"))
        if rel.status == DistributionStatus.PROPOSED and user.organisation_id != rel.manufacturer_id:
            raise Conflict(_("待确认的配送关系请选择接受或拒绝"), None)
        if rel.status not in (DistributionStatus.ACTIVE, DistributionStatus.PROPOSED):
            raise Conflict(_("该配送关系当前状态为“%(status)s”，不能终止") % {"status": rel.get_status_display()}, None)
        if not reason:
            raise InvalidInput(_("请填写终止原因"), "reason")
        with audit_context(user, reason=reason):
            rel.status = DistributionStatus.ENDED
            rel.ended_at = timezone.now()
            rel.ended_by = user
            rel.end_reason = reason
            rel.save()
            other = rel.distributor if user.organisation_id == rel.manufacturer_id else rel.manufacturer
            notify(recipients.users_of(other), kind="distribution_ended", level="warning",
                   title=Text(gettext_noop("配送关系已终止：%(relation)s"), relation=rel), body=reason, target=rel, url=_distribution_url(),
                   dedupe_key=f"dist-ended:{rel.pk}")
    return rel


# ----------------------------------------------------------------------------- BAD-1 bad records


def bad_record_enter(user, *, enterprise, kind, severity, recorded_on, description, product=None,
                     sanction=BadRecordSanction.INTERVIEW, scope=BadRecordScope.PRODUCT, products=()):
    """BAD-1 (000 §(十五), annex §七(二十一); 002 §38): the province records its decision on an
    enterprise's conduct — facts and reasons, whether it enters the list, and the sanction with
    its scope: interview; suspension or cancellation of the product's listing; for consumables,
    of part or all of the enterprise's listings. A listing sanction is carried out by the
    listing app on `bad_record_entered` in the same transaction. Nothing is written when any
    check fails."""
    if not can_review(user):
        raise Forbidden(_("仅省医保局可以认定不良记录"))
    if enterprise is None or enterprise.kind not in (OrgKind.MANUFACTURER, OrgKind.DISTRIBUTOR):
        raise InvalidInput(_("请选择企业"), "enterprise")
    if kind not in BadRecordKind.values:
        raise InvalidInput(_("请选择不良行为类型"), "kind")
    if severity not in BadRecordSeverity.values:
        raise InvalidInput(_("请选择处理等级"), "severity")
    if sanction not in BadRecordSanction.values:
        raise InvalidInput(_("请选择处理决定"), "sanction")
    if scope not in BadRecordScope.values:
        raise InvalidInput(_("请选择处理范围"), "scope")
    if recorded_on is None or recorded_on > timezone.localdate():
        raise InvalidInput(_("认定日期不能晚于今天"), "recorded_on")
    description = (description or "").strip()
    if not description:
        raise InvalidInput(_("请填写事实与依据"), "description")
    if product is not None and product.manufacturer_id != enterprise.pk:
        raise InvalidInput(_("涉及产品须为该企业的产品"), "product")
    products = list(products or ()) if scope == BadRecordScope.PART else []
    if any(p.manufacturer_id != enterprise.pk for p in products):
        raise InvalidInput(_("限制或取消挂网的产品须为该企业的产品"), "products")
    named = [product] if scope == BadRecordScope.PRODUCT and product is not None else products
    problem = rules.bad_1_decision(
        sanction=sanction, scope=scope, severity=severity, has_product=product is not None,
        product_kinds=[p.kind for p in named], enterprise_is_manufacturer=enterprise.kind == OrgKind.MANUFACTURER,
    )
    if problem:
        raise RuleViolation("BAD-1", problem[1], problem[0])
    with transaction.atomic(), audit_context(user, reason=f"BAD-1 认定不良记录：{description}"):
        record = BadRecord.objects.create(
            enterprise=enterprise, product=product, kind=kind, severity=severity, sanction=sanction, scope=scope,
            recorded_on=recorded_on, description=description, recorded_by=user,
        )
        if products:
            record.products.set(products)
        if sanction in rules.LISTING_SANCTIONS:
            bad_record_entered.send(sender=BadRecord, record=record, user=user)
        notify(
            recipients.users_of(enterprise), kind="bad_record.entered", level="warning",
            title=Text(gettext_noop("不良记录认定：%(kind)s（%(sanction)s）"), kind=as_choice(record, "kind"),
                       sanction=as_choice(record, "sanction")), body=description,
            url="", dedupe_key=f"bad-record:{record.pk}",
        )
    return record


def bad_record_for_quality_event(user, *, product, serious: bool, event_date, description) -> BadRecord:
    """DEL-2 → BAD-1: a provincial-or-higher quality failure or penalty that suspends (一般) or
    revokes (严重) the product's listing enters the bad-record list ("视情节轻重，予以暂停、撤销
    挂网，并列入不良记录", 000 annex §二(四)2). Called by the listing app inside its own
    transaction, which changes the listing itself — so no `bad_record_entered` here."""
    record = BadRecord.objects.create(
        enterprise=product.manufacturer, product=product, kind=BadRecordKind.QUALITY,
        severity=BadRecordSeverity.SERIOUS,
        sanction=BadRecordSanction.CANCEL if serious else BadRecordSanction.SUSPEND,
        scope=BadRecordScope.PRODUCT, source=BadRecordSource.QUALITY_EVENT,
        recorded_on=event_date, description=description, recorded_by=user,
    )
    notify(recipients.users_of(product.manufacturer), kind="bad_record.entered", level="warning",
           title=Text(gettext_noop("不良记录：%(kind)s（%(sanction)s）"), kind=as_choice(record, "kind"),
                      sanction=as_choice(record, "sanction")), body=description,
           url="", dedupe_key=f"bad-record:{record.pk}")
    return record


def require_not_barred(enterprise, *, at=None, activity: str | None = None):
    """BAD-2 for every channel (listing applications, negotiations, orders, filings, VBP bids):
    raise RuleViolation("BAD-2") naming the bar when `bad.ban_enabled` is on and the enterprise
    is on the bad-record list within `bad.ban_years`; otherwise return None. `activity` ends the
    message, e.g. "不能参与备案采购" (the caller passes it through gettext)."""
    ban = bad_record_ban(enterprise, at)
    if ban.barred:
        raise RuleViolation("BAD-2", _("%(ban)s，%(activity)s") % {
            "ban": ban.message, "activity": _("参与采购") if activity is None else activity}, None)


def bad_record_revoke(user, record, reason):
    if not can_review(user):
        raise Forbidden(_("仅省医保局可以撤销不良记录"))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("撤销不良记录须填写理由"), "reason")
    with transaction.atomic(), audit_context(user, reason=f"撤销不良记录：{reason}"):
        record = type(record).objects.select_for_update().get(pk=record.pk)
        if record.revoked_at is not None:
            raise Conflict(_("该不良记录已撤销"))
        record.revoked_at, record.revoked_by, record.revoked_reason = timezone.now(), user, reason
        record.save(update_fields=["revoked_at", "revoked_by", "revoked_reason"])
    return record

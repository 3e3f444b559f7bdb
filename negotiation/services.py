"""Negotiation workflows (RULES §6): propose, confirm, decline, withdraw on the deadline,
group negotiation, results, purchase agreements and zone reminders."""

from datetime import timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.audit import audit_context
from core.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from core.parsing import clean_decimal
from core.permissions import require
from core.uploads import check_upload
from listing.models import Listing, ListingStatus
from listing.services import status
from notifications.recipients import city_regulators, province_regulators, users_of
from notifications.services import notify
from notifications.text import Text
from parties.models import Organisation
from policy.services import get as policy
from qualifications.selectors import bad_record_ban

from . import (
    hooks,
    rules,
    zones,
)
from .models import (
    EvidenceReview,
    GroupMember,
    GroupStatus,
    Interview,
    InterviewOutcome,
    NegotiationGroup,
    NegotiationResult,
    Proposal,
    ProposalStatus,
    PurchaseAgreement,
)


def _institution_of(user):
    require(user, "negotiation.propose", message=_("仅医疗机构可以发起议价"))
    return user.organisation


# ----------------------------------------------------------------------------- proposals


def proposal_check(*, institution, listing: Listing, unit_price: Decimal, quantity: Decimal, today=None):
    """Every rule a proposal must pass, in order; raises the first RuleViolation."""
    today = today or timezone.localdate()
    if listing.status != ListingStatus.ACTIVE:
        raise RuleViolation("DEL-4", _("该产品挂网状态为“%(status)s”，不能议价") % {
            "status": listing.get_status_display()}, "listing")
    verdict = rules.neg_2_negotiable(hooks.facts(listing.product, today))
    if not verdict.ok:
        raise RuleViolation(verdict.rule, verdict.message, "listing")

    ban = bad_record_ban(listing.product.manufacturer, today)
    if ban.barred:
        raise RuleViolation("BAD-2", _("%(manufacturer)s：%(ban)s") % {
            "manufacturer": listing.product.manufacturer, "ban": ban.message}, "listing")
    ceiling = policy("sys.price_ceiling_yuan", at=today)
    if unit_price > ceiling:
        raise InvalidInput(_("议价单价 %(price)s 元 超过单价上限 %(ceiling)s 元，请核对") % {
            "price": unit_price, "ceiling": ceiling}, "unit_price")
    verdict = rules.neg_1_price_within_listing(unit_price, listing.price, quantity)
    if not verdict.ok:
        raise RuleViolation(verdict.rule, verdict.message, verdict.field)


def proposal_submit(
    *, user, listing_id, unit_price, quantity, group_id=None, evidence_price=None, evidence_note="",
    evidence_file=None, note="",
) -> Proposal:
    """NEG-1: an institution (or a group it initiated) proposes a price and quantity."""
    institution = _institution_of(user)
    unit_price = clean_decimal(unit_price, "unit_price", label=_("议价单价"))
    quantity = clean_decimal(quantity, "quantity", label=_("议价数量"))
    if evidence_price not in (None, ""):
        evidence_price = clean_decimal(evidence_price, "evidence_price", label=_("已成交价"))
        if evidence_price <= 0:
            raise InvalidInput(_("已成交价须大于 0"), "evidence_price")
    else:
        evidence_price = None
    today = timezone.localdate()
    with transaction.atomic(), audit_context(user, reason="发起议价"):
        listing = Listing.objects.select_related("product", "product__manufacturer").filter(pk=listing_id).first()
        if listing is None:
            raise NotFound(_("挂网产品不存在"))
        proposal_check(institution=institution, listing=listing, unit_price=unit_price, quantity=quantity, today=today)
        product = listing.product
        if evidence_price is not None and product.kind != "consumable":
            raise InvalidInput(_("仅医用耗材议价可提供企业已成交价证明（NEG-4）"), "evidence_price")
        if evidence_price is not None and not (evidence_note or evidence_file):
            raise RuleViolation("NEG-4", _("按企业已成交价议价须提供成交证明（说明或材料）"), "evidence_note")
        group = None
        if group_id:
            group = NegotiationGroup.objects.select_for_update().filter(pk=group_id, initiator=institution).first()
            if group is None:
                raise NotFound(_("组团不存在或不是本机构发起"))
            if group.status != GroupStatus.OPEN:
                raise Conflict(_("该组团已发出议价或已取消"), "group")
            # NEG-5: the initiator's own quantity is what it typed; the proposal carries the
            # group total (what the enterprise is asked to supply).
            GroupMember.objects.filter(group=group, institution=institution).update(quantity=quantity)
            quantity = sum(
                (q for q in GroupMember.objects.filter(group=group, joined_at__isnull=False)
                 .values_list("quantity", flat=True) if q is not None),
                Decimal(0),
            )
        path = rules.confirmation_path(
            kind=product.kind, price=unit_price, listing_price=listing.price, evidence_price=evidence_price,
            drug_days=policy("neg.confirm_working_days", at=today),
            consumable_evidence_days=policy("neg.consumable_evidence_working_days", at=today),
            consumable_days=policy("neg.consumable_confirm_working_days", at=today),
        )
        zone, _why = zones.classify(product.pk, unit_price, today)
        proposal = Proposal(
            institution=institution, group=group, listing=listing, product=product,
            manufacturer=product.manufacturer, listing_price=listing.price, unit_price=unit_price,
            quantity=quantity, evidence_price=evidence_price, evidence_note=evidence_note or "",
            path=path.path, rule=path.rule, zone_at_proposal=zone or "", created_by=user, note=note or "",
        )
        if evidence_file:

            check_upload(evidence_file, field="evidence_file")
            proposal.evidence_file = evidence_file
        if path.path != rules.AUTO:
            proposal.set_deadline(today, path.working_days)
        try:
            with transaction.atomic():
                proposal.save()
        except IntegrityError:
            raise Conflict(_("本机构对该产品已有待确认的议价，请等待处理结果后再提出"), "listing") from None
        if group is not None:
            group.status = GroupStatus.SENT
            group.save(update_fields=["status"])
        if path.path == rules.AUTO:
            _confirm(proposal, user=None, reason=f"{path.rule}：按挂网价议价，自动确认")
        else:
            notify(
                users_of(proposal.manufacturer), kind="negotiation.proposed", level="reminder",
                title=Text(gettext_noop("议价待确认：%(product)s（%(institution)s）"), product=product,
                           institution=institution),
                body=Text(gettext_noop("议价单价 %(price)s 元，数量 %(quantity)s，请于 %(due)s 前确认（%(rule)s）。"),
                          price=unit_price, quantity=quantity, due=f"{proposal.due:%Y-%m-%d}", rule=path.rule),
                target=proposal, dedupe_key=f"neg-proposed:{proposal.pk}",
            )
    return proposal


def _members(proposal):
    """(institution, its own quantity) for every member a result applies to (NEG-5)."""
    if not proposal.group_id:
        return [(proposal.institution, proposal.quantity)]
    joined = {
        m.institution_id: m for m in GroupMember.objects.filter(
            group_id=proposal.group_id, joined_at__isnull=False).select_related("institution")
    }
    own = joined.pop(proposal.institution_id, None)
    members = [(proposal.institution, own.quantity if own and own.quantity else proposal.quantity)]
    # Members that joined before quantities were recorded (no quantity) fall back to the
    # proposal's quantity, as they were treated then.
    members += [(m.institution, m.quantity or proposal.quantity) for m in joined.values()]
    return members


def _confirm(proposal: Proposal, *, user, reason: str):
    """Make a locked, pending proposal a result for every member, with agreements (NEG-5, NEG-6)."""
    now = timezone.now()
    proposal.status = ProposalStatus.CONFIRMED
    proposal.decided_at = now
    proposal.decided_by = user
    proposal.decision_reason = reason
    proposal.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    members = _members(proposal)
    NegotiationResult.objects.filter(
        institution__in=[i for i, _q in members], product=proposal.product, superseded_at__isnull=True
    ).update(superseded_at=now)
    results = []
    for institution, quantity in members:
        result = NegotiationResult.objects.create(
            proposal=proposal, institution=institution, product=proposal.product,
            manufacturer=proposal.manufacturer, unit_price=proposal.unit_price, quantity=quantity,
            confirmed_at=now,
        )
        PurchaseAgreement.objects.create(
            result=result, institution=institution, manufacturer=proposal.manufacturer,
            number=f"GX{now:%Y%m%d}{result.pk:07d}", unit_price=result.unit_price, quantity=result.quantity,
        )
        results.append(result)
    # ZON-2: recompute the product's thresholds on each new result, then remind by zone.
    zones.recompute([proposal.product_id], timezone.localdate())
    for result in results:
        result.refresh_from_db(fields=["zone", "zone_computed_at"])
        _zone_reminders(result)
        notify(
            users_of(result.institution), kind="negotiation.confirmed",
            title=Text(gettext_noop("议价已确认：%(product)s"), product=result.product),
            body=Text(gettext_noop("议价结果单价 %(price)s 元，请签署购销协议。"), price=result.unit_price),
            target=result, dedupe_key=f"neg-confirmed:{result.pk}",
        )
    return results


def _zone_reminders(result: NegotiationResult):
    """ZON-1: yellow → a reminder to the institution; red → a reminder and a warning to the
    city and provincial regulators. Each sent once per result (dedupe key)."""
    if result.zone not in ("yellow", "red"):
        return
    notify(
        users_of(result.institution), kind=f"zone.{result.zone}", level="reminder",
        title=Text(gettext_noop("议价结果处于%(zone)s：%(product)s"), zone=rules.ZONE_LABELS[result.zone],
                   product=result.product),
        body=Text(gettext_noop("议价单价 %(price)s 元，建议继续议价（ZON-1）。"), price=result.unit_price), target=result,
        dedupe_key=f"zone-reminder:{result.pk}",
    )
    if result.zone == "red":
        regulators = list(province_regulators()) + list(city_regulators(result.institution.city_id))
        notify(
            regulators, kind="zone.red", level="warning",
            title=Text(gettext_noop("红区预警：%(institution)s · %(product)s"), institution=result.institution,
                       product=result.product),
            body=Text(gettext_noop("议价单价 %(price)s 元 处于红区，请重点监控（ZON-1）。"), price=result.unit_price),
            target=result,
            dedupe_key=f"zone-warning:{result.pk}",
        )


def _locked_proposal_for_enterprise(user, proposal_id) -> Proposal:
    require(user, "negotiation.act_as_enterprise", message=_("仅议价产品的生产企业可以确认或拒绝议价"))
    # Row lock: a confirmation and the withdrawal job are decided one after the other (NEG-8).
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("product", "institution")
        .filter(pk=proposal_id, manufacturer_id=user.organisation_id)
        .first()
    )
    if proposal is None:
        raise NotFound(_("议价不存在或不属于本企业"))
    return proposal


def proposal_confirm(*, user, proposal_id) -> Proposal:
    """NEG-3/NEG-4: the manufacturer confirms within the deadline (NEG-8: exactly once)."""
    with transaction.atomic(), audit_context(user, reason="企业确认议价"):
        proposal = _locked_proposal_for_enterprise(user, proposal_id)
        verdict = rules.neg_8_can_confirm(status=proposal.status, due=proposal.due, today=timezone.localdate())
        if not verdict.ok:
            raise RuleViolation(verdict.rule, verdict.message)
        _confirm(proposal, user=user, reason=f"{proposal.rule}：生产企业确认")
    return proposal


def proposal_decline(*, user, proposal_id, reason: str) -> Proposal:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("拒绝议价须填写理由"), "reason")
    with transaction.atomic(), audit_context(user, reason=reason):
        proposal = _locked_proposal_for_enterprise(user, proposal_id)
        verdict = rules.neg_4_may_decline(proposal.path)
        if not verdict.ok:
            raise RuleViolation(verdict.rule, verdict.message, "reason")
        verdict = rules.neg_8_can_confirm(status=proposal.status, due=proposal.due, today=timezone.localdate())
        if not verdict.ok:
            raise RuleViolation(verdict.rule, verdict.message)
        proposal.status = ProposalStatus.DECLINED
        proposal.decided_at = timezone.now()
        proposal.decided_by = user
        proposal.decision_reason = reason
        proposal.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
        notify(
            users_of(proposal.institution), kind="negotiation.declined", title=Text(gettext_noop("议价被拒绝：%(product)s"), product=proposal.product),
            body=reason, target=proposal, dedupe_key=f"neg-declined:{proposal.pk}",
        )
    return proposal


def withdraw_overdue(today=None, batch: int = 500) -> int:
    """NEG-3/NEG-4/NEG-8 daily job: pending proposals whose deadline has passed are withdrawn
    (consumables at an evidenced transaction price turn into the platform's price linkage
    instead, NEG-4).
    Claims rows with SKIP LOCKED, so a confirmation in progress is left to finish and two
    workers never decide the same row; running it again changes nothing."""
    today = today or timezone.localdate()
    total = 0
    while True:
        with transaction.atomic(), audit_context(None, reason="议价确认期限届满", job="negotiation.withdraw_overdue"):
            claimed = list(
                Proposal.objects.select_for_update(skip_locked=True)
                .filter(status=ProposalStatus.PENDING, due__lt=today)
                .select_related("product", "institution", "manufacturer")
                .order_by("due", "id")[:batch]
            )
            for proposal in claimed:
                if proposal.path == rules.ENTERPRISE_THEN_LINKAGE:
                    _overdue_evidenced(proposal)
                    continue
                proposal.status = ProposalStatus.WITHDRAWN
                proposal.decided_at = timezone.now()
                proposal.decision_reason = (
                    f"{proposal.rule}：企业逾期未确认（截止 {proposal.due:%Y-%m-%d}），自动撤回"
                )
                proposal.save(update_fields=["status", "decided_at", "decision_reason"])
                notify(
                    users_of(proposal.institution), kind="negotiation.withdrawn", title=Text(gettext_noop("议价已撤回：%(product)s"), product=proposal.product),
                    body=proposal.decision_reason, target=proposal, dedupe_key=f"neg-withdrawn:{proposal.pk}",
                )
            total += len(claimed)
        if len(claimed) < batch:
            return total


# ----------------------------------------------------------------------------- NEG-4 evidenced prices


def _apply_linkage(proposal: Proposal, *, user) -> None:
    """NEG-4: the platform itself brings the listing price down to the evidenced transaction
    price, through the listing price-change service (audited, rule NEG-4, price history) — no
    20-working-day declaration case for the enterprise. `user` is the provincial regulator
    whose acceptance of the evidence triggered it, or None when the deadline job applies an
    evidence accepted earlier. The caller holds the proposal's row lock."""
    listing = Listing.objects.get(pk=proposal.listing_id)
    now = timezone.now()
    new_price = rules.neg_4_linked_price(listing.price, proposal.unit_price)
    if listing.status == ListingStatus.DELISTED or new_price is None:
        proposal.decision_reason += f"；挂网价已为 {listing.price} 元（{listing.get_status_display()}），无需联动"
    else:
        status.listing_change_price(
            user=user, listing=listing, new_price=new_price, effective_date=timezone.localdate(), rule="NEG-4",
            reason=(f"平台价格联动：议价 #{proposal.pk} 按企业已有成交价 {proposal.unit_price} 元发起，"
                    f"企业逾期未确认，成交价证明经医保部门核实"),
        )
        proposal.decision_reason += f"；平台已将挂网价由 {listing.price} 元联动调整为 {new_price} 元"
    proposal.linkage_applied_at = now
    proposal.save(update_fields=["linkage_applied_at", "decision_reason"])
    notify(
        [*users_of(proposal.manufacturer), *users_of(proposal.institution)], kind="negotiation.linkage",
        level="warning", title=Text(gettext_noop("平台价格联动：%(product)s"), product=proposal.product),
        body=Text(gettext_noop("%(reason)s（依据：NEG-4）"), reason=proposal.decision_reason),
        target=proposal, dedupe_key=f"neg-linkage-applied:{proposal.pk}",
    )


def _overdue_evidenced(proposal: Proposal) -> None:
    """NEG-4 deadline passed without the enterprise's confirmation (locked row, job's transaction)."""
    proposal.status = ProposalStatus.LINKAGE
    proposal.decided_at = timezone.now()
    proposal.decision_reason = f"NEG-4：企业逾期未确认已有成交价（截止 {proposal.due:%Y-%m-%d}），转平台价格联动"
    proposal.save(update_fields=["status", "decided_at", "decision_reason"])
    if rules.neg_4_overdue_outcome(proposal.evidence_review) == rules.LINK_NOW:
        _apply_linkage(proposal, user=None)
        return
    notify(
        province_regulators(), kind="negotiation.evidence_check", level="reminder",
        title=Text(gettext_noop("待核实成交价证明：%(product)s（%(institution)s）"), product=proposal.product,
                   institution=proposal.institution),
        body=Text(gettext_noop("企业逾期未确认按已有成交价 %(price)s 元发起的议价；核实证明后平台将联动调整挂网价"
                               "（依据：NEG-4）。"), price=proposal.unit_price),
        target=proposal, dedupe_key=f"neg-evidence-check:{proposal.pk}",
    )


def proposal_contest(*, user, proposal_id, reason: str) -> Proposal:
    """NEG-4: instead of confirming, the enterprise contests the institution's evidence; the
    province decides (evidence_decide). The proposal stays pending and its deadline runs on."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请填写异议理由"), "reason")
    with transaction.atomic(), audit_context(user, reason=f"NEG-4 企业对成交价证明提出异议：{reason}"):
        proposal = _locked_proposal_for_enterprise(user, proposal_id)
        verdict = rules.neg_8_can_confirm(status=proposal.status, due=proposal.due, today=timezone.localdate())
        if not verdict.ok:
            raise RuleViolation(verdict.rule, verdict.message)
        verdict = rules.neg_4_may_contest(proposal.path, proposal.evidence_review)
        if not verdict.ok:
            raise RuleViolation(verdict.rule, verdict.message, "reason")
        proposal.evidence_review = EvidenceReview.CONTESTED
        proposal.contest_reason = reason
        proposal.contested_at = timezone.now()
        proposal.contested_by = user
        proposal.save(update_fields=["evidence_review", "contest_reason", "contested_at", "contested_by"])
        notify(
            province_regulators(), kind="negotiation.evidence_check", level="reminder",
            title=Text(gettext_noop("成交价证明异议待裁定：%(product)s（%(institution)s）"), product=proposal.product,
                       institution=proposal.institution),
            body=Text(gettext_noop("企业异议：%(reason)s（依据：NEG-4）"), reason=reason), target=proposal,
            dedupe_key=f"neg-evidence-contest:{proposal.pk}",
        )
    return proposal


def evidence_decide(*, user, proposal_id, accept: bool, note: str) -> Proposal:
    """NEG-4: the provincial regulator checks the institution's evidence (contested or not).
    Accepted: the enterprise must still confirm before the deadline; once the deadline has
    passed unconfirmed, the platform lowers the listing price to the evidenced price at once.
    Not accepted: the proposal is closed (the institution may negotiate again without it)."""
    if not (user.is_authenticated and user.is_province):
        raise Forbidden(_("仅省医保局可以核实成交价证明（NEG-4）"))
    note = (note or "").strip()
    if not note:
        raise InvalidInput(_("请填写核实意见"), "note")
    with transaction.atomic(), audit_context(user, reason=f"NEG-4 核实成交价证明：{'属实' if accept else '不予认定'}，{note}"):
        proposal = (
            Proposal.objects.select_for_update(of=("self",)).select_related("product", "institution", "manufacturer")
            .filter(pk=proposal_id).first()
        )
        if proposal is None:
            raise NotFound(_("议价不存在"))
        if proposal.path != rules.ENTERPRISE_THEN_LINKAGE:
            raise RuleViolation("NEG-4", _("该议价未附已有成交价证明，无需核实"), "proposal")
        if proposal.status not in (ProposalStatus.PENDING, ProposalStatus.LINKAGE) or proposal.evidence_review in (
            EvidenceReview.ACCEPTED, EvidenceReview.DISPROVED
        ):
            raise Conflict(_("该议价的成交价证明已核实或议价已办结"), "proposal", code="NEG-4")
        proposal.evidence_review = EvidenceReview.ACCEPTED if accept else EvidenceReview.DISPROVED
        proposal.evidence_decided_at = timezone.now()
        proposal.evidence_decided_by = user
        proposal.evidence_decision_note = note
        fields = ["evidence_review", "evidence_decided_at", "evidence_decided_by", "evidence_decision_note"]
        if not accept:
            proposal.status = ProposalStatus.DISPROVED
            proposal.decided_at, proposal.decided_by = timezone.now(), user
            proposal.decision_reason = f"NEG-4：成交价证明经医保部门核实不予认定：{note}"
            fields += ["status", "decided_at", "decided_by", "decision_reason"]
        proposal.save(update_fields=fields)
        if accept and proposal.status == ProposalStatus.LINKAGE:
            _apply_linkage(proposal, user=user)
        notify(
            [*users_of(proposal.manufacturer), *users_of(proposal.institution)], kind="negotiation.evidence",
            title=Text(gettext_noop("成交价证明已核实：%(product)s") if accept
                       else gettext_noop("成交价证明不予认定：%(product)s"), product=proposal.product),
            body=(Text(gettext_noop("%(note)s（依据：NEG-4）"), note=note)
                  if not accept or proposal.status != ProposalStatus.PENDING
                  else Text(gettext_noop("%(note)s（依据：NEG-4）。企业应于 %(due)s 前确认，逾期由平台联动调整挂网价。"),
                            note=note, due=f"{proposal.due:%Y-%m-%d}")),
            target=proposal, dedupe_key=f"neg-evidence-decided:{proposal.pk}",
        )
    return proposal


# ----------------------------------------------------------------------------- groups (NEG-5)


def group_create(*, user, name, institution_ids, is_consortium=False) -> NegotiationGroup:
    institution = _institution_of(user)
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("请填写组团名称"), "name")

    invited = list(Organisation.objects.filter(pk__in=institution_ids, kind="institution", is_active=True))
    if len(invited) != len(set(institution_ids)):
        raise InvalidInput(_("受邀机构须为有效的医疗机构"), "institutions")
    with transaction.atomic(), audit_context(user, reason="发起组团议价"):
        group = NegotiationGroup.objects.create(
            name=name, initiator=institution, is_consortium=is_consortium, created_by=user
        )
        GroupMember.objects.create(group=group, institution=institution, joined_at=timezone.now())
        for org in invited:
            if org.pk != institution.pk:
                GroupMember.objects.create(group=group, institution=org)
        notify(
            [u for org in invited for u in users_of(org)], kind="negotiation.group_invite",
            title=Text(gettext_noop("组团议价邀请：%(name)s（%(institution)s）"), name=name, institution=institution),
            body=Text(gettext_noop("请在发起机构发出议价前加入。")), url="",
            dedupe_key=f"neg-group-invite:{group.pk}",
        )
    return group


def group_join(*, user, group_id, quantity) -> GroupMember:
    """NEG-5: an invited institution joins with its own quantity (its result and agreement use it)."""
    institution = _institution_of(user)
    quantity = clean_decimal(quantity, "quantity", label=_("本机构采购数量"))
    verdict = rules.neg_5_member_quantity(quantity)
    if not verdict.ok:
        raise RuleViolation(verdict.rule, verdict.message, "quantity")
    with transaction.atomic(), audit_context(user, reason=f"加入组团议价（本机构数量 {quantity}）"):
        group = NegotiationGroup.objects.select_for_update().filter(pk=group_id).first()
        member = GroupMember.objects.filter(group=group, institution=institution).first() if group else None
        if member is None:
            raise NotFound(_("组团不存在或本机构未受邀"))
        if group.status != GroupStatus.OPEN:
            raise RuleViolation("NEG-5", _("该组团已发出议价，不能再加入"), "group")
        member.joined_at = member.joined_at or timezone.now()
        member.quantity = quantity
        member.save(update_fields=["joined_at", "quantity"])
    return member


# ----------------------------------------------------------------------------- agreements (NEG-6)


def agreement_sign(*, user, agreement_id) -> PurchaseAgreement:
    with transaction.atomic(), audit_context(user, reason="签署购销协议"):
        agreement = PurchaseAgreement.objects.select_for_update().filter(pk=agreement_id).first()
        if agreement is None:
            raise NotFound(_("购销协议不存在"))
        now = timezone.now()
        if user.has_perm("negotiation.sign_for_institution", agreement):
            if agreement.institution_signed_at:
                raise Conflict(_("本机构已签署该协议"))
            agreement.institution_signed_at, agreement.institution_signed_by = now, user
        elif user.has_perm("negotiation.sign_for_enterprise", agreement):
            if agreement.enterprise_signed_at:
                raise Conflict(_("本企业已签署该协议"))
            agreement.enterprise_signed_at, agreement.enterprise_signed_by = now, user
        else:
            raise NotFound(_("购销协议不存在"))
        agreement.save()
    return agreement


# ----------------------------------------------------------------------------- ZON-3 interviews


def interviews_build(today=None) -> int:
    """ZON-3 (monthly): list institutions for interviews — long non-negotiation, a high red
    share, or price inversion — with the evidence. One row per institution and period end;
    re-running for the same day adds nothing."""




    today = today or timezone.localdate()
    months = int(policy("zon.non_negotiation_months", at=today))
    red_share = Decimal(policy("zon.red_share_percent", at=today))
    since = today - relativedelta(months=int(policy("zon.trailing_months", at=today)))
    inversions = hooks.inversions(since, today + timedelta(days=1))
    institutions = Organisation.objects.filter(kind="institution", is_active=True, level__gte=2,
                                               ownership__in=rules.PUBLIC_OWNERSHIPS)
    last = dict(
        Proposal.objects.values("institution_id").annotate(last=Max("created_at")).values_list("institution_id", "last")
    )
    zone_counts = {
        row["institution_id"]: row
        for row in NegotiationResult.objects.filter(confirmed_at__date__gte=since)
        .values("institution_id").annotate(red=Count("id", filter=Q(zone="red")), total=Count("id"))
    }
    created = 0
    with transaction.atomic(), audit_context(None, reason="ZON-3 约谈名单生成", job="negotiation.interviews_build"):
        for org in institutions.only("id"):
            last_at = last.get(org.pk)
            gap = None if last_at is None else relativedelta(today, timezone.localtime(last_at).date())
            gap_months = None if gap is None else gap.years * 12 + gap.months
            counts = zone_counts.get(org.pk, {"red": 0, "total": 0})
            reasons = rules.zon_3_interview_reasons(
                months_without_negotiation=gap_months, non_negotiation_months=months,
                red_results=counts["red"], all_results=counts["total"], red_share_percent=red_share,
                inversions=inversions.get(org.pk, 0),
            )
            if reasons:
                _interview, was_created = Interview.objects.get_or_create(
                    institution_id=org.pk, period_end=today, defaults={"reasons": reasons}
                )
                created += was_created
    return created


def interview_record(*, user, interview, outcome, note) -> None:
    if not user.is_regulator:
        raise Forbidden(_("仅医保部门可记录约谈结果"))
    if outcome not in InterviewOutcome.values or outcome == InterviewOutcome.PENDING:
        raise InvalidInput(_("请选择约谈处理结果"), "outcome")
    note = (note or "").strip()
    if not note:
        raise InvalidInput(_("请填写约谈记录"), "note")

    with transaction.atomic(), audit_context(user, reason=f"约谈结果：{outcome}"):
        interview.outcome = outcome
        interview.note = note
        interview.recorded_by = user
        interview.recorded_at = timezone.now()
        interview.save(update_fields=["outcome", "note", "recorded_by", "recorded_at"])

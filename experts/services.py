"""Writes of the expert pool (EXP-1) and expert price negotiations (EXP-2).

Every function takes the acting user, checks permission and the rule, runs in one
transaction inside `audit_context`, and returns the object or raises a domain error."""

import secrets
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from core.audit import audit_context
from core.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from parties.models import Organisation, Role, User

from . import rules
from .models import (
    CaseOutcome,
    DrawMember,
    ExpertCategory,
    ExpertConflict,
    ExpertDraw,
    ExpertProfile,
    ExpertSession,
    NegotiationRound,
    SessionCase,
    SessionPurpose,
    SessionStatus,
)

CATEGORY_LABELS = dict(ExpertCategory.choices)


def can_manage(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("experts.manage"))


def _require_manager(user):
    if not can_manage(user):
        raise Forbidden("仅省医保局可以管理专家库与评审场次（EXP-1）")


def _text(value, field, limit, *, required=None) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise InvalidInput(required, field)
    if len(text) > limit:
        raise InvalidInput(f"不能超过 {limit} 个字", field)
    return text


# --- the pool (EXP-1) -------------------------------------------------------------------------


def expert_profile_save(user, *, expert_user: User, category: str, employer: str, title: str = "",
                        employer_organisation: Organisation | None = None, active: bool = True) -> ExpertProfile:
    """Create or update the pool entry of a user with role "expert"."""
    _require_manager(user)
    if expert_user.role != Role.EXPERT:
        raise InvalidInput("只有角色为“评审专家”的用户可以入库", "expert_user")
    if category not in CATEGORY_LABELS:
        raise InvalidInput("请选择专业类别：医保、临床、药学或管理", "category")
    employer = _text(employer, "employer", 200, required="请填写工作单位")
    title = _text(title, "title", 100)
    with transaction.atomic(), audit_context(user, reason=f"维护评审专家库：{expert_user}"):
        profile, _created = ExpertProfile.objects.update_or_create(
            user=expert_user,
            defaults={"category": category, "employer": employer, "title": title,
                      "employer_organisation": employer_organisation, "active": active},
        )
    return profile


def conflict_declare(user, profile: ExpertProfile, *, enterprise: Organisation | None = None,
                     description: str = "") -> ExpertConflict:
    """EXP-1: declare a conflict of interest (the expert themself, or the province)."""
    if not (can_manage(user) or profile.user_id == user.pk):
        raise Forbidden("只能申报本人的利益冲突")
    description = _text(description, "description", 2000)
    if enterprise is None and not description:
        raise InvalidInput("请选择利害关系企业或填写利害关系说明", "enterprise")
    if enterprise is not None and not enterprise.is_enterprise:
        raise InvalidInput("利害关系企业须为生产企业或配送企业", "enterprise")
    with transaction.atomic(), audit_context(user, reason=f"申报利益冲突：{profile}"):
        return ExpertConflict.objects.create(expert=profile, enterprise=enterprise, description=description)


def conflict_withdraw(user, conflict: ExpertConflict, reason: str) -> ExpertConflict:
    _require_manager(user)
    reason = _text(reason, "reason", 200, required="请填写撤销原因")
    with transaction.atomic(), audit_context(user, reason=f"撤销利益冲突申报：{reason}"):
        conflict = ExpertConflict.objects.select_for_update().get(pk=conflict.pk)
        if conflict.withdrawn_at:
            raise Conflict("该申报已撤销")
        conflict.withdrawn_at = timezone.now()
        conflict.save(update_fields=["withdrawn_at"])
    return conflict


# --- sessions ---------------------------------------------------------------------------------


def session_create(user, *, purpose: str, title: str, date: date, location: str = "") -> ExpertSession:
    _require_manager(user)
    if purpose not in SessionPurpose.values:
        raise InvalidInput("请选择场次类型", "purpose")
    title = _text(title, "title", 200, required="请填写场次名称")
    with transaction.atomic(), audit_context(user, reason=f"新建评审/谈判场次：{title}"):
        return ExpertSession.objects.create(
            purpose=purpose, title=title, date=date, location=_text(location, "location", 200), created_by=user
        )


def session_add_case(user, session: ExpertSession, *, product=None, enterprise=None, description="") -> SessionCase:
    """Add a case: a catalogue product (its manufacturer is the case's enterprise) and/or text."""
    _require_manager(user)
    description = _text(description, "description", 2000)
    if product is None and not description:
        raise InvalidInput("请选择产品或填写案件说明", "product")
    if session.status == SessionStatus.CLOSED:
        raise Conflict("场次已结束，不能再添加案件")
    if session.current_draw() is not None:
        # The draw excluded conflicts with the cases known then: a new case needs a redraw.
        raise Conflict("已抽取专家的场次不能再添加案件；如需添加请先重新抽取（EXP-1 回避须覆盖全部案件）",
                       code="EXP-1")
    with transaction.atomic(), audit_context(user, reason=f"场次“{session.title}”添加案件"):
        return SessionCase.objects.create(
            session=session, product=product, enterprise=None if product else enterprise, description=description
        )


def session_enterprise_ids(session: ExpertSession) -> set[int]:
    ids = set()
    for case in session.cases.select_related("product"):
        if case.product_id:
            ids.add(case.product.manufacturer_id)
        elif case.enterprise_id:
            ids.add(case.enterprise_id)
    return ids


def eligible_candidates(session: ExpertSession) -> tuple[dict[str, list[int]], list[dict]]:
    """EXP-1: per category, the ids of active experts without a conflict with any enterprise
    of the session's cases (ascending: the deterministic order of the draw), and the list of
    excluded experts with the reason."""
    enterprises = session_enterprise_ids(session)
    profiles = list(
        ExpertProfile.objects.filter(active=True, user__is_active=True).order_by("id").values_list(
            "id", "category", "employer_organisation_id"
        )
    )
    conflicted: dict[int, list[int]] = {}
    for expert_id, enterprise_id in ExpertConflict.objects.filter(
        withdrawn_at__isnull=True, enterprise_id__in=enterprises
    ).values_list("expert_id", "enterprise_id"):
        conflicted.setdefault(expert_id, []).append(enterprise_id)
    names = dict(Organisation.objects.filter(pk__in=enterprises).values_list("pk", "name"))
    candidates: dict[str, list[int]] = {c: [] for c in rules.CATEGORY_ORDER}
    excluded = []
    for pk, category, employer_org in profiles:
        reasons = [f"申报与“{names[e]}”存在利害关系" for e in sorted(set(conflicted.get(pk, [])))]
        if employer_org in enterprises:
            reasons.append(f"工作单位为案件企业“{names[employer_org]}”")
        if reasons:
            excluded.append({"expert": pk, "category": category, "reason": "；".join(reasons)})
        else:
            candidates[category].append(pk)
    return candidates, excluded


def _parse_per_category(per_category: dict) -> dict[str, int]:
    parsed = {}
    for key, value in (per_category or {}).items():
        if key not in CATEGORY_LABELS:
            raise InvalidInput(f"未知的专家类别：{key}", "per_category")
        try:
            n = int(value or 0)
        except (TypeError, ValueError):
            raise InvalidInput(f"{CATEGORY_LABELS[key]}类抽取人数须为整数", key) from None
        if n < 0 or n > 50:
            raise InvalidInput(f"{CATEGORY_LABELS[key]}类抽取人数须在 0 至 50 之间", key)
        if n:
            parsed[key] = n
    if not parsed:
        raise InvalidInput("请至少为一个类别指定抽取人数", "per_category")
    return parsed


def session_draw(user, session: ExpertSession, per_category: dict, seed: int | None = None,
                 reason: str = "") -> ExpertDraw:
    """EXP-1: draw N experts per category at random, excluding declared conflicts.

    random.Random(seed) over the candidates in ascending id order (experts.rules.draw_experts);
    seed, candidates, exclusions and result are stored so `verify_draw` can re-check it. A
    second draw for the same session supersedes the first (reason required)."""
    _require_manager(user)
    wanted = _parse_per_category(per_category)
    if seed is None:
        seed = secrets.randbits(62)
    try:
        seed = int(seed)
    except (TypeError, ValueError):
        raise InvalidInput("随机种子须为整数", "seed") from None
    if not 0 <= seed < 2**63:
        raise InvalidInput("随机种子须为 0 至 2^63-1 之间的整数", "seed")
    reason = _text(reason, "reason", 200)
    with transaction.atomic(), audit_context(user, reason=f"抽取专家：{session.title}（EXP-1）"):
        session = ExpertSession.objects.select_for_update().get(pk=session.pk)
        if session.status == SessionStatus.CLOSED:
            raise Conflict("场次已结束，不能抽取专家")
        if not session.cases.exists():
            raise InvalidInput("请先添加场次案件（回避以案件企业为准）", "per_category")
        previous = session.draws.filter(superseded_at__isnull=True).first()
        if previous is not None and not reason:
            raise InvalidInput("该场次已抽取过专家；重新抽取须填写原因", "reason")
        if not reason:
            with translation.override("zh-hans"):
                reason = f"首次抽取：{session.get_purpose_display()}"
        candidates, excluded = eligible_candidates(session)
        short = rules.shortfalls(candidates, wanted)
        if short:
            detail = "；".join(
                f"{CATEGORY_LABELS[c]}类需 {w} 人，可抽取（已回避利益冲突）仅 {a} 人" for c, (w, a) in short.items()
            )
            raise RuleViolation("EXP-1", f"专家人数不足，无法抽取：{detail}", next(iter(short)))
        drawn = rules.draw_experts(seed, candidates, wanted)
        if previous is not None:
            previous.superseded_at = timezone.now()
            previous.superseded_reason = reason
            previous.save(update_fields=["superseded_at", "superseded_reason"])
        try:
            with transaction.atomic():
                draw = ExpertDraw.objects.create(
                    session=session, seed=seed, per_category=wanted, candidates=candidates, excluded=excluded,
                    drawn=drawn, reason=reason, drawn_by=user,
                )
        except IntegrityError:
            raise Conflict("该场次刚被其他用户抽取，请刷新后查看") from None
        DrawMember.objects.bulk_create(
            [DrawMember(draw=draw, expert_id=pk, category=c) for c, ids in drawn.items() for pk in ids]
        )
        if session.status == SessionStatus.PLANNED:
            session.status = SessionStatus.DRAWN
            session.save(update_fields=["status"])
    _notify_drawn(draw)
    return draw


def _notify_drawn(draw: ExpertDraw):
    from django.urls import reverse

    from notifications.services import notify

    session = draw.session
    users = User.objects.filter(expert_profile__draw_memberships__draw=draw)
    notify(
        users, kind="experts.drawn", title=f"您被抽取参加：{session.title}",
        body=f"{session.date:%Y-%m-%d} {session.get_purpose_display()}。请按回避规定，如与案件企业存在利害关系请及时申报。",
        url=reverse("experts:session_detail", args=[session.pk]), dedupe_key=f"experts:draw:{draw.pk}",
    )


def verify_draw(draw: ExpertDraw) -> bool:
    """EXP-1: recompute the draw from its stored seed and candidates; True iff the result is
    identical to the stored one (and the stored members match it)."""
    recomputed = rules.draw_experts(draw.seed, draw.candidates, draw.per_category)
    stored = {c: sorted(ids) for c, ids in draw.drawn.items()}
    if recomputed != stored:
        return False
    members: dict[str, list[int]] = {}
    for expert_id, category in draw.members.values_list("expert_id", "category"):
        members.setdefault(category, []).append(expert_id)
    return {c: sorted(v) for c, v in members.items()} == stored


def session_close(user, session: ExpertSession) -> ExpertSession:
    _require_manager(user)
    with transaction.atomic(), audit_context(user, reason=f"结束场次：{session.title}"):
        session = ExpertSession.objects.select_for_update().get(pk=session.pk)
        if session.cases.filter(outcome=CaseOutcome.OPEN).exists() and session.purpose != SessionPurpose.CONSUMABLE_REVIEW:
            raise Conflict("仍有未结束的谈判案件，不能结束场次")
        session.status = SessionStatus.CLOSED
        session.save(update_fields=["status"])
    return session


# --- negotiations (EXP-2) ---------------------------------------------------------------------


def is_drawn_expert(user, session: ExpertSession) -> bool:
    return bool(
        user.is_authenticated and user.role == Role.EXPERT
        and DrawMember.objects.filter(draw__session=session, draw__superseded_at__isnull=True, expert__user=user).exists()
    )


def _price(value, field) -> object:
    price = rules.parse_price(value)
    if price is None:
        raise RuleViolation("EXP-2", "价格须为大于 0 的数值，最多 4 位小数", field)
    return price


def _open_negotiation_case(user, case: SessionCase) -> SessionCase:
    case = SessionCase.objects.select_for_update(of=("self",)).select_related("session", "product").get(pk=case.pk)
    if not case.session.is_negotiation:
        raise Conflict("该场次为评审场次，不进行价格谈判")
    if case.outcome != CaseOutcome.OPEN:
        raise Conflict(f"该案件已{case.get_outcome_display()}，不能再修改", code="EXP-2")
    if case.session.current_draw() is None:
        raise RuleViolation("EXP-2", "场次尚未抽取专家，不能开始谈判")
    return case


def round_record(user, case: SessionCase, *, enterprise_offer, expert_counter_offer=None, note="") -> NegotiationRound:
    """EXP-2: record one round: the enterprise's offer and (optionally) the experts' counter-offer.
    Recorded by the province or by an expert drawn for the session."""
    if not (can_manage(user) or is_drawn_expert(user, case.session)):
        raise Forbidden("仅省医保局或本场次抽取的专家可以记录谈判")
    offer = _price(enterprise_offer, "enterprise_offer")
    counter = None
    if expert_counter_offer not in (None, ""):
        counter = _price(expert_counter_offer, "expert_counter_offer")
    note = _text(note, "note", 2000)
    with transaction.atomic(), audit_context(user, reason="记录谈判轮次（EXP-2）"):
        case = _open_negotiation_case(user, case)
        last = case.rounds.order_by("-number").first()
        return NegotiationRound.objects.create(
            case=case, number=(last.number + 1) if last else 1, enterprise_offer=offer,
            expert_counter_offer=counter, note=note, recorded_by=user,
        )


def case_conclude(user, case: SessionCase, *, agreed: bool, final_price=None, effective_date: date | None = None,
                  note: str = "") -> SessionCase:
    """EXP-2: end a negotiation with an agreement at `final_price` (≤ the enterprise's last
    offer) or a failure. An agreed price becomes the listing price of the product's live
    listing (listing.services.listing_change_price, rule EXP-2); a product not yet listed
    keeps it on the case for its listing application (experts.selectors.negotiated_price)."""
    _require_manager(user)
    note = _text(note, "note", 2000)
    price = _price(final_price, "final_price") if agreed else None
    with transaction.atomic(), audit_context(user, reason=f"谈判{'成功' if agreed else '失败'}（EXP-2）"):
        case = _open_negotiation_case(user, case)
        last = case.rounds.order_by("-number").first()
        if last is None:
            raise RuleViolation("EXP-2", "尚无谈判轮次记录，不能结束谈判")
        if agreed and not rules.final_price_allowed(price, last.enterprise_offer):
            raise RuleViolation(
                "EXP-2", f"谈判价格 {price} 高于企业最后一轮报价 {last.enterprise_offer}，不予确认", "final_price"
            )
        case.outcome = CaseOutcome.AGREED if agreed else CaseOutcome.FAILED
        case.final_price = price
        case.concluded_at = timezone.now()
        case.concluded_by = user
        case.conclusion_note = note
        if agreed and case.product_id:
            listing = _live_listing(case.product)
            if listing is not None:
                from listing.services import listing_change_price

                listing_change_price(
                    user=user, listing=listing, new_price=price,
                    effective_date=effective_date or timezone.localdate(), rule="EXP-2",
                    reason=f"专家谈判结果：{case.session.title}",
                )
                case.applied_to_listing = True
        case.save()
    return case


def _live_listing(product):
    from listing.models import Listing

    return Listing.objects.filter(product=product).exclude(status="delisted").first()


def get_case(user, pk) -> SessionCase:
    from .selectors import sessions_for

    case = SessionCase.objects.filter(pk=pk, session__in=sessions_for(user)).select_related("session", "product").first()
    if case is None:
        raise NotFound()
    return case

"""Demo data of the expert pool: profiles for expert_01 … expert_08 (parties.demo), one
declared conflict, and a new-drug negotiation session with its draw. The README's `expert_01`
is drawn (both insurance experts are, issue 15 item 8) and the session's case is a new-drug
listing application (LST-6) with its documents, so the expert has a case to review.
Idempotent. Runs after the listing demo (app order)."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from catalog.models import Product
from catalog.selectors import national_lowest_price
from core.audit import audit_context
from listing.demo import _documents
from listing.models import ApplicationEvent, ListingApplication
from parties.models import Organisation, Role, User

from . import services
from .models import ExpertConflict, ExpertProfile, ExpertSession

PROFILES = [  # username, category, employer, title
    ("expert_01", "insurance", "江苏省医疗保障研究会", "研究员"),
    ("expert_02", "clinical", "江苏省人民医院", "主任医师"),
    ("expert_03", "pharmacy", "南京鼓楼医院药学部", "主任药师"),
    ("expert_04", "management", "东南大学公共卫生学院", "教授"),
    ("expert_05", "clinical", "苏州大学附属第一医院", "主任医师"),
    ("expert_06", "pharmacy", "无锡市人民医院药学部", "副主任药师"),
    ("expert_07", "insurance", "南京市医疗保障局", "高级经济师"),
    ("expert_08", "management", "徐州医科大学附属医院", "副院长"),
]
SESSION_TITLE = "2026年12月新药价格谈判（演示）"


@transaction.atomic
def load_demo():
    province = User.objects.filter(username="sheng_ybj").first()
    if province is None:
        raise RuntimeError("experts demo needs parties.demo.load_demo() first")
    with audit_context(province, reason="加载演示数据"):
        for username, category, employer, title in PROFILES:
            user = User.objects.filter(username=username).first()
            if user is not None and not ExpertProfile.objects.filter(user=user).exists():
                services.expert_profile_save(province, expert_user=user, category=category, employer=employer,
                                             title=title)
        maker = Organisation.objects.filter(name="江苏康宁制药有限公司").first()
        first = ExpertProfile.objects.filter(user__username="expert_05").first()
        if maker and first and not ExpertConflict.objects.filter(expert=first, enterprise=maker).exists():
            services.conflict_declare(province, first, enterprise=maker, description="近三年曾为该企业临床试验主要研究者")
        if ExpertSession.objects.filter(title=SESSION_TITLE).exists():
            return
        session = services.session_create(province, purpose="new_drug", title=SESSION_TITLE,
                                          date=date(2026, 12, 18), location="省医保局三楼会议室")
        # A new drug (LST-6) is not listed here yet: an unlisted product of the maker when there is one.
        candidates = Product.objects.filter(manufacturer=maker).exclude(listing_applications__status__in=(
            "submitted", "returned", "confirmed")).order_by("id")
        product = (candidates.filter(listings__isnull=True).first() or candidates.first()) if maker else None
        case = services.session_add_case(province, session, product=product,
                                         description="新药挂网申请（批准一年内，LST-6）" if product else "新药挂网申请（演示）")
        if product is not None:
            _new_drug_application(product, case)
        # Both insurance experts (expert_01 and expert_07) are drawn: the README's expert_01 always
        # finds this session among their tasks, whatever the seed.
        services.session_draw(province, session, {"insurance": 2, "clinical": 1, "pharmacy": 1, "management": 1})


def _new_drug_application(product, case):
    """LST-6: the enterprise's application behind the case, with its documents (PDFs)."""
    user = User.objects.filter(organisation=product.manufacturer, role=Role.MANUFACTURER).order_by("id").first()
    if user is None:
        return
    lowest = national_lowest_price(product)
    price = (lowest.price * Decimal("0.95")).quantize(Decimal("0.01")) if lowest else Decimal("128.00")
    with audit_context(user, reason="演示数据：新药挂网申请（LST-6）"):
        app = ListingApplication.objects.create(
            enterprise=product.manufacturer, product=product, category="LST-6", declared_price=price,
            evaluation={"passed": True, "needs_expert": True, "results": [
                {"rule": "LST-6", "passed": True, "message": "批准注册后一年内申报，价格由专家谈判确定（EXP-2）"}],
                "blockers": [], "warnings": []},
            note="本品为国内首仿，临床急需；申报价低于已挂网省份最低价。", submitted_by=user,
            submitted_at=timezone.now() - timedelta(days=5), expert_case=case,
        )
        _documents(app, user)
        ApplicationEvent.objects.create(application=app, action="submitted", user=user)

"""Demo data of the expert pool: profiles for expert_01 … expert_08 (parties.demo), one
declared conflict, and a new-drug negotiation session with its draw. Idempotent."""

from datetime import date

from django.db import transaction

from core.audit import audit_context
from parties.models import Organisation, User

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
        from catalog.models import Product

        product = Product.objects.filter(manufacturer=maker).order_by("id").first() if maker else None
        services.session_add_case(province, session, product=product,
                                  description="新药挂网申请（批准一年内，LST-6）" if product else "新药挂网申请（演示）")
        services.session_draw(province, session, {"insurance": 1, "clinical": 1, "pharmacy": 1, "management": 1})

"""Demo bad records for `manage.py load_demo` (after catalog.demo): regulator decisions of BAD-1
that leave the demo listings purchasable — an interview of a distributor and a listed
enterprise interviewed for an untrue price declaration. Idempotent (found by description)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from parties.demo import DISTRIBUTORS, MANUFACTURERS
from parties.models import Organisation, User

from . import services
from .models import BadRecord


@transaction.atomic
def load_demo():
    province = User.objects.filter(username="sheng_ybj").first()
    maker = Organisation.objects.filter(name=MANUFACTURERS[-1]).first()
    distributor = Organisation.objects.filter(name=DISTRIBUTORS[-1]).first()
    if province is None or maker is None or distributor is None:
        raise RuntimeError("qualifications demo needs parties.demo.load_demo() first")
    today = timezone.localdate()
    rows = [
        (distributor, "supply_failure", "warning", "interview", today - timedelta(days=40),
         "某三级医院急需订单超过约定时限 72 小时未配送，约谈警示（演示）"),
        (maker, "untrue_price", "serious", "interview", today - timedelta(days=12),
         "申报价格高于其在外省现行挂网价，认定为虚假价格申报，列入不良记录名单并约谈（演示）"),
    ]
    for enterprise, kind, severity, sanction, recorded_on, description in rows:
        if BadRecord.objects.filter(enterprise=enterprise, description=description).exists():
            continue
        services.bad_record_enter(province, enterprise=enterprise, kind=kind, severity=severity, sanction=sanction,
                                  recorded_on=recorded_on, description=description)

"""Demo monitoring data: snapshots and reports for the last twelve finished months (so the
rate page's trend is a line, issue 15 item 4) for most secondary-and-above public
institutions (some late, some missing last month, one corrected), Nanjing's
forward of last month and a published provincial bulletin of the last finished quarter.
Idempotent: skipped once any report version exists."""

import random
from datetime import datetime, time
from decimal import Decimal
from unittest import mock

from django.db import transaction
from django.utils import timezone

from parties.models import User

from . import rules, selectors, services
from .models import Bulletin, CityForward, ReportVersion


def _at(day):
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


@transaction.atomic
def load_demo():
    if ReportVersion.objects.exists():
        return
    today = timezone.localdate()
    last = rules.reporting_month(today)
    months = [rules.add_months(last, -i) for i in range(11, -1, -1)]
    for m in months:
        services.monthly_run(m)
    rng = random.Random(2026)
    institutions = list(selectors.obliged_institutions().order_by("id"))
    users = {u.organisation_id: u for u in User.objects.filter(organisation__in=institutions, role="institution")}
    for n, inst in enumerate(institutions):
        user = users.get(inst.pk)
        if user is None:
            continue
        for age, m in enumerate(reversed(months)):
            if m == last and n % 7 == 3:
                continue                                     # missing this month
            due = rules.report_due(m, 15)
            day = due.replace(day=18) if n % 5 == 1 else due.replace(day=8)   # some late
            if day > today:
                day = today
            drug_total = Decimal(rng.randint(800_000, 5_000_000))
            # Rates improve a little month by month (age 0 = last month), as the targets intend.
            drug_rate = Decimal(rng.choice(["0.97", "0.93", "0.88", "0.86", "0.83", "0.78"])) - Decimal(age) / 200
            cons_total = Decimal(rng.randint(200_000, 2_000_000))
            cons_rate = Decimal(rng.choice(["0.92", "0.85", "0.80", "0.76", "0.70"])) - Decimal(age) / 150
            dp = (drug_total * drug_rate).quantize(Decimal("1"))
            cp = (cons_total * cons_rate).quantize(Decimal("1"))
            figures = {"drug_total": drug_total, "drug_platform": dp, "drug_emergency": ((drug_total - dp) / 4).quantize(Decimal("1")),
                       "consumable_total": cons_total, "consumable_platform": cp, "consumable_emergency": Decimal(0)}
            with mock.patch.object(services, "_today", lambda day=day: day), \
                    mock.patch.object(services, "_now", lambda day=day: _at(day)):
                services.report_submit(user=user, month=m, figures=figures)
                if n == 0 and m == months[0]:
                    services.report_submit(user=user, month=m, reason="补录一笔入库单",
                                           figures={**figures, "drug_platform": dp + 1000, "drug_total": drug_total + 1000})
    nj_reg = User.objects.filter(role="city_regulator", organisation__city__code="320100").first()
    if nj_reg and not CityForward.objects.exists() and today.day >= 16:
        try:
            services.city_forward(user=nj_reg, city_id=nj_reg.organisation.city_id, month=last, note="已审核")
        except Exception:  # noqa: BLE001 — demo data is best effort
            pass
    province = User.objects.filter(role="province_regulator").first()
    q_last = (today.month - 1) // 3
    year, quarter = (today.year, q_last) if q_last else (today.year - 1, 4)
    if province and not Bulletin.objects.exists():
        services.bulletin_publish(user=province, year=year, quarter=quarter, is_public=True)

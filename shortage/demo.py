"""Demo data of shortage and emergency purchasing: the two lists issued by the health
commission, a shortage self-sourcing need, and emergency purchases in each state (open,
overdue, completed, closed out of scope with its deduction and an interview). Idempotent:
rows are written through the services only when their marker is missing."""

from datetime import timedelta
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook

from core.audit import audit_context
from core.pdfs import blank_pdf
from listing.models import Listing
from parties.models import User

from . import services
from .models import EmergencyPurchase, ShortageList, ShortageNeed

DEMO_PDF = blank_pdf()

SHORTAGE_ROWS = [
    ("注射用甲磺酸酚妥拉明", "注射剂", "10mg", "", "抢救用"),
    ("盐酸多巴胺注射液", "注射剂", "2ml:20mg", "", ""),
    ("去乙酰毛花苷注射液", "注射剂", "2ml:0.4mg", "", ""),
    ("硫酸鱼精蛋白注射液", "注射剂", "", "", "各规格"),
]
WATCH_ROWS = [
    ("注射用硫酸多黏菌素B", "注射剂", "50万单位", "", ""),
    ("碘解磷定注射液", "注射剂", "", "", ""),
]


def _xlsx(rows, name):
    wb = Workbook()
    ws = wb.active
    ws.append(["通用名", "剂型", "规格", "国家医保药品编码", "备注"])
    for r in rows:
        ws.append(list(r))
    buf = BytesIO()
    wb.save(buf)
    return SimpleUploadedFile(name, buf.getvalue())


def _pdf(name):
    return SimpleUploadedFile(name, DEMO_PDF, content_type="application/pdf")


def _declare(user, item_name, purchase_date, **kw):
    if EmergencyPurchase.objects.filter(institution=user.organisation, item_name=item_name).exists():
        return None
    data = {"kind": "drug", "supplier": "江苏恒瑞医药股份有限公司（演示）", "emergency_kind": "rescue",
            "emergency_note": "急诊抢救（演示）", "clinical_necessity": "省平台未挂网，临床救治必需，无可替代品种",
            "approved_by": "周院长", "approval_date": purchase_date, "purchase_date": purchase_date,
            "quantity": "20", "amount": "3600.00", "insurance_paid": "2520.00"}
    data.update(kw)
    return services.emergency_declare(user, item_name=item_name, **data)


@transaction.atomic
def load_demo():
    province = User.objects.filter(username="sheng_ybj").first()
    hospital = User.objects.filter(username="hosp_jsph").first()
    nanjing_city = User.objects.filter(username="nj_ybj").first() or province
    if province is None or hospital is None:
        raise RuntimeError("shortage demo needs parties.demo.load_demo() first")
    today = timezone.localdate()
    year_start = today.replace(month=1, day=1)
    with audit_context(province, reason="加载演示数据"):
        if not ShortageList.objects.filter(kind="shortage").exists():
            services.list_import(province, kind="shortage", source="苏卫药政〔2026〕12号（演示）",
                                 effective_from=year_start, upload=_xlsx(SHORTAGE_ROWS, "短缺药品清单.xlsx"))
        if not ShortageList.objects.filter(kind="watch").exists():
            services.list_import(province, kind="watch", source="苏卫药政〔2026〕13号（演示）",
                                 effective_from=year_start, upload=_xlsx(WATCH_ROWS, "易短缺药品重点监测清单.xlsx"))
        if not ShortageNeed.objects.exists():
            services.need_create(hospital, generic_name="注射用甲磺酸酚妥拉明", dosage_form="注射剂",
                                 specification="10mg", quantity=300, note="急诊、ICU 常备抢救药，省平台无企业挂网（演示）")
            services.need_create(User.objects.filter(username="hosp_001").first() or hospital,
                                 generic_name="碘解磷定注射液", dosage_form="注射剂", specification="2ml:0.5g",
                                 quantity=100, note="有机磷中毒救治（演示）")

        # An open case bought yesterday, an overdue one (due date passed), one completed.
        _declare(hospital, "注射用甲磺酸酚妥拉明 10mg（演示）", today - timedelta(days=1))
        old = today - timedelta(days=45)
        _declare(hospital, "去乙酰毛花苷注射液 2ml:0.4mg（演示）", old, amount="1280.00", insurance_paid="900.00")
        done = _declare(hospital, "一次性使用负压引流护创材料（演示）", today - timedelta(days=20), kind="consumable",
                        clinical_necessity="", approved_by="周法人", emergency_kind="epidemic",
                        emergency_note="疫情防控应急（演示）", amount="860.00", insurance_paid="0")
        if done is not None:
            services.emergency_complete_formalities(hospital, done, ref="补办备案采购（演示）",
                                                    documents=[_pdf("备案材料.pdf")])
        # A listed drug bought "in an emergency": accepted, marked out of scope, closed with the
        # deduction, and an interview recorded (EMG-2, MON-5).
        listing = Listing.objects.filter(status="active", product__kind="drug", effective_date__lt=old).select_related(
            "product").order_by("id").first()
        if listing is not None:
            case = _declare(hospital, f"{listing.product}（演示：已挂网）", old + timedelta(days=5),
                            national_code=listing.product.national_code or "", amount="5200.00",
                            insurance_paid="3640.00")
            if case is not None:
                services.emergency_complete_formalities(hospital, case, ref="补报采购凭证（演示）",
                                                        documents=[_pdf("采购凭证.pdf")])
                case = services.emergency_review(nanjing_city, case, scope="out", note="采购日该药品已在省平台挂网，超范围应急采购")
                services.emergency_add_measure(nanjing_city, case, kind="interview", note="约谈分管院长（演示）")
        services.emergency_mark_overdue(today)  # the 45-day-old case is past its 20 working days

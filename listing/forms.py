"""Forms of the listing app (Chinese labels; errors shown next to the field)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import KeepsFiles, LongTextField, size_limit_text
from parties.models import Region
from policy import services as policy

from . import rules
from .models import AuthorityLevel, DelistReason, Listing, QualityEventKind, Severity

# The kind of core.models.FormDraft the application form saves ("保存草稿").
APPLICATION_DRAFT_KIND = "listing.application"


class ApplicationForm(KeepsFiles, forms.Form):
    """The guided listing application: category, price, reference, documents, commitments.
    Chosen files are kept as pending uploads when the rest is refused (issue 15 item 2)."""

    category = forms.ChoiceField(label=_("挂网类别"), choices=rules.CATEGORY_CHOICES)
    declared_price = forms.CharField(
        label=_("申报价（元，按最小包装单位）"), max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    via_reference = forms.BooleanField(
        label=_("按条件②申报：不高于省平台已挂网相同药品最低价 / 差比价计算价格（可免交外省挂网记录）"), required=False,
        widget=forms.CheckboxInput(attrs={"style": "display:inline;width:auto;margin-right:6px"}),
    )
    reference_listing = forms.ModelChoiceField(
        label=_("拟参照的省平台挂网产品（条件②，可选；不选则由平台按规则选取）"), queryset=Listing.objects.none(),
        required=False,
    )
    set_price = forms.CharField(
        label=_("国家确定的采购价 / 省卫健部门议定供应价（元，LST-7 适用）"), max_length=30, required=False,
    )
    previously_selected = forms.BooleanField(
        label=_("原省、市集中采购已入围（耗材 LST-C1/C3）"), required=False,
        widget=forms.CheckboxInput(attrs={"style": "display:inline;width:auto;margin-right:6px"}),
    )
    filing_count = forms.IntegerField(label=_("省内公立医疗机构备案采购家数（耗材 LST-C2/C4）"), min_value=0,
                                      required=False)
    review_city = forms.ModelChoiceField(
        label=_("负责评审确认的设区市（耗材 LST-C3/C4，挂网后仅供该市采购）"), required=False,
        queryset=Region.objects.filter(level="city").order_by("code"),
    )
    original_listing = forms.ModelChoiceField(
        label=_("所增补的原挂网产品（LST-C5 必填：同一注册证，增补规格型号不得高于其挂网价）"),
        queryset=Listing.objects.none(), required=False)
    note = LongTextField(label=_("申报说明"), required=False, rows=4, max_length=rules.NOTE_MAX_LENGTH)

    def __init__(self, *args, product=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.product = product
        # The limit the service enforces (policy sys.upload_max_mb), stated next to each file input.
        self.upload_max_bytes = int(policy.get("sys.upload_max_mb")) * 1024 * 1024
        if product is not None:
            kind_ids = rules.CONSUMABLE_CATEGORY_IDS if product.kind == "consumable" else rules.DRUG_CATEGORY_IDS
            self.fields["category"].choices = [c for c in rules.CATEGORY_CHOICES if c[0] in kind_ids]
            live = Listing.objects.exclude(status="delisted").select_related("product", "product__manufacturer")
            self.fields["reference_listing"].queryset = live.filter(
                product__kind=product.kind, product__generic_name=product.generic_name).exclude(product=product)
            self.fields["reference_listing"].label_from_instance = (
                lambda lst: f"{lst.product}（{lst.product.manufacturer}）挂网价 {rules.fmt(lst.price)} 元")
            self.fields["original_listing"].queryset = live.filter(
                product__kind="consumable", product__approval_number=product.approval_number or "-").exclude(product=product)
        for code, label in rules.DOCUMENTS.items():
            self.fields[f"doc_{code}"] = forms.FileField(
                label=label, required=False, help_text=size_limit_text(self.upload_max_bytes),
                widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
            )

    def clean_declared_price(self):
        raw = self.cleaned_data["declared_price"]
        problem = rules.declared_price_problem(raw, Decimal(str(policy.get("sys.price_ceiling_yuan"))))
        if problem:
            raise forms.ValidationError(problem)
        return raw.strip()

    def clean_set_price(self):
        raw = (self.cleaned_data.get("set_price") or "").strip()
        if raw:
            problem = rules.declared_price_problem(raw, Decimal(str(policy.get("sys.price_ceiling_yuan"))),
                                                   what=_("价格"))
            if problem:
                raise forms.ValidationError(problem)
        return raw

    def documents(self):
        """The kept files by document code (open files: the caller closes them)."""
        return {name.removeprefix("doc_"): file for name, file in self.kept_files().items()}

    def service_kwargs(self):
        d = self.cleaned_data
        return {
            "category": d["category"], "declared_price": d["declared_price"], "via_reference": d.get("via_reference"),
            "reference_listing": d.get("reference_listing"), "set_price": d.get("set_price") or None,
            "previously_selected": d.get("previously_selected"), "filing_count": d.get("filing_count") or 0,
            "original_listing": d.get("original_listing"), "review_city": d.get("review_city"),
        }

    def document_rows(self, category):
        """Fields of the documents the category asks for, with their condition, commitments apart."""
        conds = {"always": "", "unless_reference": _("按条件②申报时免交"), "if_records": _("无外省挂网记录时免交"),
                 "unless_filings": _("或提供备案采购记录"), "unless_records": _("或提供外省挂网记录")}
        rows = []
        for code, label, when in rules.all_documents(category):
            rows.append({"code": code, "field": self[f"doc_{code}"], "label": label, "note": conds.get(when, ""),
                         "required": when == "always", "commitment": code in rules.COMMITMENTS,
                         "kept": getattr(self, "kept", {}).get(f"doc_{code}")})
        return rows


class DecisionForm(forms.Form):
    reason = LongTextField(label=_("审核意见"), required=False, rows=3)
    listing_price = forms.CharField(label=_("挂网价（元，仅谈判/议定价格类别）"), required=False, max_length=30)


class StatusForm(forms.Form):
    action = forms.ChoiceField(choices=[("suspend", _("暂停挂网")), ("restore", _("恢复挂网")), ("delist", _("撤网"))])
    rule = forms.ChoiceField(label=_("依据"), choices=[("DEL-2", "DEL-2 质量问题"), ("DEL-1", "DEL-1 一年无销售"),
                                                      ("BAD-1", "BAD-1 不良记录"), ("PRC-1", "PRC-1 未按时申报联动"),
                                                      ("LST-5", "LST-5 一致性评价"), ("DEL-4", "DEL-4 其他")])
    reason = LongTextField(label=_("理由"), rows=2)


class DelistRequestForm(forms.Form):
    reason_kind = forms.ChoiceField(label=_("撤网原因"), choices=DelistReason.choices)
    note = LongTextField(label=_("说明"), required=False, rows=2)


class QualityEventForm(forms.Form):
    product_code = forms.CharField(label=_("产品（国家医保编码或产品 ID）"), max_length=30)
    kind = forms.ChoiceField(label=_("类型"), choices=QualityEventKind.choices)
    event_date = forms.DateField(label=_("发生日期"), widget=forms.DateInput(attrs={"type": "date"}))
    authority_level = forms.ChoiceField(label=_("药监部门层级"), choices=AuthorityLevel.choices)
    severity = forms.ChoiceField(label=_("情节"), choices=Severity.choices)
    description = LongTextField(label=_("说明"), rows=2)

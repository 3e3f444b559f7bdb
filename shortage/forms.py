"""Forms of shortage and emergency purchasing: they only shape input; the services decide
(amounts stay text so that a malformed one gets the rule's message, not a generic one)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from parties.models import Organisation
from policy.services import get as policy_get

from .models import EmergencyKind, ListKind, MeasureKind, Scope

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PolicyUploadLimit:
    """Documents here are checked against policy sys.upload_max_mb (services._check_document);
    the shared form include states that value next to each file input (issue 15 item 2)."""

    @property
    def upload_max_bytes(self) -> int:
        return int(policy_get("sys.upload_max_mb")) * 1024 * 1024


class EmergencyForm(PolicyUploadLimit, forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=[("drug", _("药品")), ("consumable", _("医用耗材"))])
    national_code = forms.CharField(label=_("国家医保编码（目录内产品）"), required=False, max_length=27)
    item_name = forms.CharField(label=_("品名规格"), required=False, max_length=200)
    supplier = forms.CharField(label=_("供应企业"), max_length=200)
    emergency_kind = forms.ChoiceField(label=_("紧急情况"), choices=EmergencyKind.choices)
    emergency_note = forms.CharField(label=_("紧急情况说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    clinical_necessity = forms.CharField(label=_("临床救治必需理由（药品）"), widget=forms.Textarea(attrs={"rows": 2}),
                                         required=False)
    approved_by = forms.CharField(label=_("审批人（药品：医疗机构负责人；耗材：法定代表人）"), max_length=50, required=False)
    approval_date = forms.DateField(label=_("审批日期"), widget=DATE, required=False)
    purchase_date = forms.DateField(label=_("采购日期"), widget=DATE)
    quantity = forms.CharField(label=_("数量"), max_length=30)
    amount = forms.CharField(label=_("金额（元）"), max_length=30)
    insurance_paid = forms.CharField(label=_("其中医保基金支付（元）"), max_length=30, required=False, initial="0")
    approval_document = forms.FileField(label=_("审批材料（PDF/图片）"), required=False)


class FormalitiesForm(PolicyUploadLimit, forms.Form):
    ref = forms.CharField(label=_("手续编号/说明（如备案编号）"), max_length=200)
    document = forms.FileField(label=_("补办手续材料（PDF/图片）"), required=False)
    document2 = forms.FileField(label=_("其他材料"), required=False)


class ReviewForm(forms.Form):
    scope = forms.ChoiceField(label=_("范围认定"), choices=Scope.choices)
    note = forms.CharField(label=_("意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class MeasureForm(forms.Form):
    kind = forms.ChoiceField(label=_("处理措施"), choices=MeasureKind.choices)
    note = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 2}))
    rectification_failed = forms.BooleanField(label=_("整改不到位"), required=False)


class NeedForm(forms.Form):
    generic_name = forms.CharField(label=_("通用名"), max_length=200)
    dosage_form = forms.CharField(label=_("剂型"), max_length=50)
    specification = forms.CharField(label=_("规格"), max_length=200, required=False)
    quantity = forms.CharField(label=_("需求数量"), max_length=20)
    note = forms.CharField(label=_("需求说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class NegotiationForm(PolicyUploadLimit, forms.Form):
    enterprise = forms.ModelChoiceField(label=_("药品生产企业"), queryset=Organisation.objects.filter(kind="manufacturer"))
    price = forms.CharField(label=_("议价价格（元）"), max_length=30)
    quantity = forms.CharField(label=_("数量"), max_length=20)
    held_on = forms.DateField(label=_("议价日期"), widget=DATE)
    note = forms.CharField(label=_("议价经过"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    evidence = forms.FileField(label=_("议价记录材料"), required=False)


class ReportForm(PolicyUploadLimit, forms.Form):
    product = forms.ModelChoiceField(label=_("供应产品"), queryset=Product.objects.none())
    price = forms.CharField(label=_("议价价格（元）"), max_length=30)
    supply_commitment = forms.FileField(label=_("供货稳价承诺书"), required=False)
    quality_commitment = forms.FileField(label=_("药品质量承诺书"), required=False)
    other = forms.FileField(label=_("其他材料"), required=False)

    def __init__(self, *args, need=None, **kwargs):
        super().__init__(*args, **kwargs)
        if need is not None:
            qs = Product.objects.filter(kind="drug", generic_name=need.generic_name, dosage_form=need.dosage_form)
            if need.specification:
                qs = qs.filter(specification=need.specification)
            self.fields["product"].queryset = qs.select_related("manufacturer")


class NeedReviewForm(forms.Form):
    ok = forms.TypedChoiceField(label=_("审核结论"), choices=[("1", _("通过")), ("0", _("不通过"))],
                                coerce=lambda v: v == "1")
    note = forms.CharField(label=_("审核意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ListImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("清单"), choices=ListKind.choices)
    source = forms.CharField(label=_("发布来源（省卫生健康委文号）"), max_length=200)
    effective_from = forms.DateField(label=_("生效日期"), widget=DATE)
    file = forms.FileField(label=_("清单文件（.xlsx）"))

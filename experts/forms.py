from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from parties.models import Organisation, Role, User

from . import rules
from .models import ExpertCategory, SessionPurpose, Verdict

PRICE_ERROR = _("价格须为大于 0 的数值，最多 4 位小数（EXP-2）")


def _price(form, name, required=True):
    """EXP-2: the price field checked where it is typed, so every wrong price of the form is
    marked next to its field at once (the service checks again)."""
    value = (form.cleaned_data.get(name) or "").strip()
    if value and rules.parse_price(value) is None:
        raise forms.ValidationError(PRICE_ERROR)
    if required and not value:
        raise forms.ValidationError(_("请填写价格"))
    return value


class ProfileForm(forms.Form):
    expert_user = forms.ModelChoiceField(User.objects.filter(role=Role.EXPERT, is_active=True), label=_("专家账号"))
    category = forms.ChoiceField(choices=ExpertCategory.choices, label=_("专业类别"))
    employer = forms.CharField(max_length=200, label=_("工作单位"))
    employer_organisation = forms.ModelChoiceField(
        Organisation.objects.filter(is_active=True), required=False, label=_("工作单位（平台机构，可选）")
    )
    title = forms.CharField(max_length=100, required=False, label=_("职称/职务"))
    active = forms.BooleanField(required=False, initial=True, label=_("在库可抽取"))


class ConflictForm(forms.Form):
    enterprise = forms.ModelChoiceField(
        Organisation.objects.enterprises().filter(is_active=True), required=False, label=_("利害关系企业")
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("利害关系说明"))


class SessionForm(forms.Form):
    purpose = forms.ChoiceField(choices=SessionPurpose.choices, label=_("场次类型"))
    title = forms.CharField(max_length=200, label=_("名称"))
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    location = forms.CharField(max_length=200, required=False, label=_("地点"))


class CaseForm(forms.Form):
    product = forms.CharField(required=False, max_length=27, label=_("产品（国家医保编码或产品编号）"))

    def clean_product(self):
        value = self.cleaned_data["product"].strip()
        if not value:
            return None
        product = Product.objects.filter(national_code=value.upper()).first()
        if product is None and value.isdigit():
            product = Product.objects.filter(pk=int(value)).first()
        if product is None:
            raise forms.ValidationError(_("未找到该产品，请填写国家医保编码或产品编号"))
        return product
    enterprise = forms.ModelChoiceField(
        Organisation.objects.enterprises(), required=False, label=_("企业（无产品时）")
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                  label=_("说明（如挂网申请编号）"))


class DrawForm(forms.Form):
    insurance = forms.IntegerField(min_value=0, max_value=50, initial=0, label=_("医保"))
    clinical = forms.IntegerField(min_value=0, max_value=50, initial=0, label=_("临床"))
    pharmacy = forms.IntegerField(min_value=0, max_value=50, initial=0, label=_("药学"))
    management = forms.IntegerField(min_value=0, max_value=50, initial=0, label=_("管理"))
    reason = forms.CharField(max_length=200, required=False, label=_("重新抽取原因（重新抽取时必填）"))


class RoundForm(forms.Form):
    """EXP-2: one negotiation round; every error is marked next to its field (issue 15 item 2)."""

    enterprise_offer = forms.CharField(label=_("企业报价（元）"), error_messages={"required": _("请填写企业报价")})
    expert_counter_offer = forms.CharField(required=False, label=_("专家还价（元）"))
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000, label=_("记录"))

    def clean_enterprise_offer(self):
        return _price(self, "enterprise_offer")

    def clean_expert_counter_offer(self):
        return _price(self, "expert_counter_offer", required=False)


class ConcludeForm(forms.Form):
    agreed = forms.TypedChoiceField(
        choices=[("1", _("谈判成功")), ("0", _("谈判失败"))], coerce=lambda v: v == "1", label=_("结果")
    )
    final_price = forms.CharField(required=False, label=_("谈判价格（元）"))
    effective_date = forms.DateField(required=False, label=_("执行日期"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000,
                           label=_("结论说明"))

    def clean_final_price(self):
        return _price(self, "final_price", required=False)

    def clean(self):
        data = super().clean()
        if data.get("agreed") and "final_price" in data and not data["final_price"]:
            self.add_error("final_price", _("谈判成功须填写谈判价格"))
        return data


class VerdictForm(forms.Form):
    """EXP-1: a drawn expert's verdict on a case (or the organiser entering one given at the meeting)."""

    verdict = forms.ChoiceField(choices=Verdict.choices, widget=forms.RadioSelect, label=_("评审意见"),
                                error_messages={"required": _("请选择同意或不同意")})
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, label=_("理由"),
                             error_messages={"required": _("请填写评审理由")})


class ConclusionForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, label=_("评审结论理由"))

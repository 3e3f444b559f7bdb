from django import forms
from django.utils.translation import gettext_lazy as _

from parties.models import Region

from .models import AllianceKind, NegotiationOutcome, PriorityCriterion, ProductKindChoice, SelectionMode


class NationalImportForm(forms.Form):
    code = forms.CharField(label=_("批次编号"), max_length=40)
    name = forms.CharField(label=_("批次名称"), max_length=200)
    product_kind = forms.ChoiceField(label=_("产品类别"), choices=ProductKindChoice.choices)
    volume_ratio = forms.DecimalField(label=_("约定采购量比例（%）"), max_digits=5, decimal_places=2)
    period_start = forms.DateField(label=_("采购周期起"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("采购周期止"), widget=forms.DateInput(attrs={"type": "date"}))
    selection_rule = forms.CharField(label=_("中选规则"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    file = forms.FileField(label=_("中选结果（.xlsx）"))


class BaseVolumeForm(forms.Form):
    variety = forms.CharField(widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=_("基期采购量"), min_value=0)
    reason = forms.CharField(label=_("更正理由"), required=False, max_length=500)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))


class AddVolumeForm(forms.Form):
    line = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=_("追加数量"), min_value=1)
    reason = forms.CharField(label=_("说明"), max_length=500)


class TenderForm(forms.Form):
    code = forms.CharField(label=_("批次编号"), max_length=40)
    name = forms.CharField(label=_("批次名称"), max_length=200)
    level = forms.ChoiceField(label=_("层级"), choices=[("provincial", _("省级集中带量采购")),
                                                      ("alliance", _("联盟集中带量采购"))])
    alliance_kind = forms.ChoiceField(label=_("联盟类型"), choices=AllianceKind.choices, required=False)
    product_kind = forms.ChoiceField(label=_("产品类别"), choices=ProductKindChoice.choices)
    selection_mode = forms.ChoiceField(label=_("遴选方式"), choices=SelectionMode.choices)
    selection_rule = forms.CharField(label=_("中选规则"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    volume_ratio = forms.DecimalField(label=_("约定采购量比例（%）"), max_digits=5, decimal_places=2)
    period_start = forms.DateField(label=_("采购周期起"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("采购周期止"), widget=forms.DateInput(attrs={"type": "date"}))
    lead_city = forms.ModelChoiceField(label=_("牵头设区市"), queryset=Region.objects.filter(level="city"),
                                       required=False)
    member_cities = forms.ModelMultipleChoiceField(label=_("联盟城市"), queryset=Region.objects.filter(level="city"),
                                                   required=False)
    plan_filed_on = forms.DateField(label=_("方案报省医保局备案日期"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))
    publish_on = forms.DateField(label=_("采购文件发布日期"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))


class VarietyForm(forms.Form):
    name = forms.CharField(label=_("品种名称（通用名）"), max_length=200)
    priority = forms.ChoiceField(label=_("遴选依据"), choices=PriorityCriterion.choices)


class BidForm(forms.Form):
    variety = forms.IntegerField(widget=forms.HiddenInput)
    national_code = forms.CharField(label=_("国家医保编码"), max_length=27)
    price = forms.DecimalField(label=_("报价（元）"), max_digits=14, decimal_places=4)


class BiddingForm(forms.Form):
    opens = forms.DateField(label=_("报价开始"), widget=forms.DateInput(attrs={"type": "date"}))
    closes = forms.DateField(label=_("报价截止"), widget=forms.DateInput(attrs={"type": "date"}))


class NegotiationForm(forms.Form):
    """VBP-5: one negotiation round with a bidder (organiser's page)."""

    bid = forms.IntegerField(widget=forms.HiddenInput)
    offer = forms.DecimalField(label=_("企业报价（元）"), max_digits=14, decimal_places=4)
    counter_offer = forms.DecimalField(label=_("还价（元）"), max_digits=14, decimal_places=4, required=False)
    outcome = forms.ChoiceField(label=_("结果"), choices=NegotiationOutcome.choices)
    agreed_price = forms.DecimalField(label=_("谈判价（元）"), max_digits=14, decimal_places=4, required=False)
    note = forms.CharField(label=_("记录"), required=False, max_length=500)


class SimilarExtensionForm(forms.Form):
    """VBP-9 (002 §24): the province extends a variety's result to a similar product."""

    variety = forms.IntegerField(label=_("品种"))
    national_code = forms.CharField(label=_("同类产品国家医保编码"), max_length=27)
    price = forms.DecimalField(label=_("扩围价格（元）"), max_digits=14, decimal_places=4)
    reason = forms.CharField(label=_("扩围理由"), max_length=500)

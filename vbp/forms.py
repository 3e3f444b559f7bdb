from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ProductKindChoice


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

from django import forms
from django.utils.translation import gettext_lazy as _

from parties.models import Organisation, OrgKind, Region

from .models import Product
from .services import PRODUCT_FIELDS


class ProductForm(forms.ModelForm):
    """CAT-1/CAT-2 attributes; the rules are checked by catalog.services (errors shown next to
    the field). The province also chooses the manufacturer."""

    # Longer than any code so that an over-long code reaches the CAT-1.1 check and its message.
    national_code = forms.CharField(label=_("国家医保编码"), max_length=60, required=False)
    manufacturer = forms.ModelChoiceField(
        label=_("生产企业"), queryset=Organisation.objects.filter(kind=OrgKind.MANUFACTURER), required=False
    )

    class Meta:
        model = Product
        fields = list(PRODUCT_FIELDS)
        widgets = {
            "approval_date": forms.DateInput(attrs={"type": "date"}),
            "nn_agreement_start": forms.DateInput(attrs={"type": "date"}),
            "nn_agreement_end": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, with_manufacturer=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_manufacturer:
            del self.fields["manufacturer"]
        self.fields["generic_of_negotiated"].queryset = Product.objects.filter(is_national_negotiated=True)
        self.fields["national_code"].help_text = _("药品 23 位（X/Z 开头），医用耗材 27 位（C 开头）；尚未取得可暂空，须尽快补报")

    def _post_clean(self):
        # Validation of the rules happens in the service (one place); skip model validation
        # here so the messages come from CAT-1.1 etc. rather than the database constraints.
        pass

    def data_for_service(self):
        return {name: self.cleaned_data.get(name) for name in PRODUCT_FIELDS if name in self.cleaned_data}


class PriceForm(forms.Form):
    """LST-0.3: one other-province price."""

    province = forms.CharField(label=_("省份"), max_length=20)
    city = forms.CharField(label=_("城市（仅耗材市级平台）"), max_length=30, required=False)
    price = forms.CharField(label=_("挂网（中标）价（元）"), max_length=30)
    effective_date = forms.CharField(label=_("执行日期"), max_length=20,
                                     widget=forms.DateInput(attrs={"type": "date"}))
    source = forms.CharField(label=_("来源"), max_length=200)


class CatalogueChangeForm(forms.Form):
    action = forms.ChoiceField(choices=[("add", _("纳入目录")), ("retire", _("退出目录"))])
    reason = forms.CharField(label=_("理由"), max_length=500)


class PriceUploadForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))


class ProductChangeForm(ProductForm):
    """QUA-1: the manufacturer's product form proposes changes (a change request); the product
    keeps its values until the reviewer confirms."""

    reason = forms.CharField(label=_("变更说明及依据"), widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("如药监部门批件、国家谈判结果文件、短缺药品清单公告等"))
    review_city = forms.ModelChoiceField(
        label=_("负责确认的设区市（普通医用耗材、检验检测试剂）"), queryset=Region.objects.filter(level="city"),
        required=False, help_text=_("目录统一前由设区市医保部门确认；不选则为本企业所在设区市"),
    )


class ChangeDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("审核结论"), choices=[("confirm", _("确认生效")), ("refuse", _("不予确认"))])
    reason = forms.CharField(label=_("审核意见（不予确认必填）"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

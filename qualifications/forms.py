from django import forms
from django.utils.translation import gettext_lazy as _

from parties.models import Organisation, OrgKind, Region

from .models import QualificationKind


class QualificationForm(forms.Form):
    kind = forms.ChoiceField(label=_("资质类型"), choices=QualificationKind.choices)
    name = forms.CharField(label=_("资质名称（仅“其他资质”填写）"), max_length=100, required=False)
    number = forms.CharField(label=_("证书编号"), max_length=100)
    valid_from = forms.DateField(label=_("有效期起"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(label=_("有效期至（长期有效留空）"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    file = forms.FileField(label=_("证明文件（PDF/JPG/PNG）"), required=False)

    def __init__(self, *args, file_required=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.file_required = file_required

    def clean(self):
        data = super().clean()
        if self.file_required and not data.get("file"):
            self.add_error("file", _("请上传证明文件（PDF、JPG 或 PNG）"))
        return data


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("审核结论"), choices=[("approve", _("通过")), ("reject", _("驳回"))])
    reason = forms.CharField(label=_("审核意见（驳回必填）"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回理由"), max_length=500)


class ProposeForm(forms.Form):
    self_delivery = forms.BooleanField(label=_("自行配送（由本企业配送，无须对方确认，即时生效）"), required=False)
    distributor = forms.ModelChoiceField(
        label=_("配送企业（自行配送时不选）"), queryset=Organisation.objects.filter(kind=OrgKind.DISTRIBUTOR, is_active=True),
        required=False,
    )
    city = forms.ModelChoiceField(label=_("配送区域（设区市）"), queryset=Region.objects.filter(level="city"))
    counties = forms.ModelMultipleChoiceField(
        label=_("限定县（市、区）（不选即全市）"), queryset=Region.objects.filter(level="county"), required=False
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=500)


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("接受")), ("decline", _("拒绝"))])
    note = forms.CharField(label=_("说明（拒绝必填）"), required=False, max_length=500)


class EndForm(forms.Form):
    reason = forms.CharField(label=_("终止原因"), max_length=500)

from django import forms
from django.utils.translation import gettext_lazy as _

from parties.models import Role, User

from .models import ComplaintOutcome, ComplaintSubject


class DeclareForm(forms.Form):
    price = forms.CharField(label=_("申报价格（元）"))
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("申报说明"))


class DecisionForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("处理意见"))


class RoundStartForm(forms.Form):
    year = forms.IntegerField(min_value=2020, max_value=2100, label=_("年度"))
    reference_date = forms.DateField(required=False, label=_("比价基准日"),
                                     widget=forms.DateInput(attrs={"type": "date"}))


class ApplyForm(forms.Form):
    effective_date = forms.DateField(required=False, label=_("新价执行日期"),
                                     widget=forms.DateInput(attrs={"type": "date"}))


class ComplaintForm(forms.Form):
    subject = forms.ChoiceField(choices=ComplaintSubject.choices, label=_("申投诉事项"))
    title = forms.CharField(max_length=200, label=_("标题"))
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), label=_("申投诉内容"))
    listing = forms.IntegerField(required=False, widget=forms.HiddenInput)
    linkage_case = forms.IntegerField(required=False, widget=forms.HiddenInput)
    general_item = forms.IntegerField(required=False, widget=forms.HiddenInput)
    attachment = forms.FileField(required=False, label=_("附件（PDF/JPG/PNG，不公开）"))


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        User.objects.filter(role__in=[Role.PROVINCE_REGULATOR, Role.CITY_REGULATOR], is_active=True),
        label=_("承办人"),
    )


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(choices=ComplaintOutcome.choices, label=_("办理结果"))
    answer = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label=_("答复"))
    publish = forms.BooleanField(required=False, initial=True, label=_("答复后公开"))

"""Forms of the calendar page. Fields are plain text: the services check everything (real
date, year range, kind, lengths) and their Chinese messages are shown next to the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CalendarDay


class CalendarDayForm(forms.Form):
    date = forms.CharField(
        label=_("日期"), max_length=20, widget=forms.TextInput(attrs={"placeholder": "YYYY-MM-DD"}),
        error_messages={"required": _("请填写日期")},
    )
    kind = forms.ChoiceField(
        label=_("类型"), choices=CalendarDay.Kind.choices,
        error_messages={"invalid_choice": _("未知的类型：请选择“法定节假日（休息）”或“调休上班日”"),
                        "required": _("请选择类型")},
    )
    name = forms.CharField(label=_("说明（如：春节）"), required=False, max_length=50)


class WithdrawDayForm(forms.Form):
    date = forms.CharField(label=_("日期"), max_length=20, error_messages={"required": _("请填写日期")})
    reason = forms.CharField(label=_("撤销原因"), max_length=200, error_messages={"required": _("撤销登记须填写原因")})


class ConfirmYearForm(forms.Form):
    year = forms.CharField(label=_("年份"), max_length=10, error_messages={"required": _("请填写年份")})
    note = forms.CharField(
        label=_("确认说明（如国务院办公厅通知文号）"), max_length=200,
        error_messages={"required": _("请填写确认说明（如国务院办公厅通知文号）")},
    )

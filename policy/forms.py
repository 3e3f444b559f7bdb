import json

from django import forms
from django.utils.translation import gettext_lazy as _

from .registry import Parameter, ParameterTypeError
from .selectors import CHOICE_LABELS

REQUIRED_VALUE = _("请填写取值")


class ParameterChangeForm(forms.Form):
    """A new version of one parameter: value, effective date, mandatory reason (AUD-1)."""

    effective_from = forms.DateField(
        label=_("生效日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("请填写生效日期"), "invalid": _("请填写有效的日期（年-月-日）")},
    )
    reason = forms.CharField(
        label=_("调整理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("调整政策参数必须填写理由")},
        help_text=_("将记录在审计日志中，并在历史版本中公开显示。"),
    )

    def __init__(self, definition: Parameter, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.definition = definition
        errors = {"required": REQUIRED_VALUE}
        if definition.type == "bool":
            field = forms.ChoiceField(choices=[("true", _("是")), ("false", _("否"))], error_messages=errors)
        elif definition.type == "choice":
            field = forms.ChoiceField(
                choices=[(c, f"{CHOICE_LABELS[c]}（{c}）" if c in CHOICE_LABELS else c) for c in definition.choices],
                error_messages={**errors, "invalid_choice": _("请选择列表中的选项")},
            )
        elif definition.type == "json":
            field = forms.CharField(widget=forms.Textarea(attrs={"rows": 8, "class": "mono"}), error_messages=errors)
        else:
            field = forms.CharField(error_messages=errors)
        field.label = _("新取值")
        field.help_text = definition.help
        self.fields = {"value": field, **self.fields}

    def clean_value(self):
        """Type and range check here too, so that every field's error shows in one pass
        (the service checks again, with the cross-parameter rules)."""
        raw = self.cleaned_data["value"]
        try:
            self.definition.parse(raw)
        except ParameterTypeError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return raw

    @staticmethod
    def initial_for(definition: Parameter, value) -> str:
        if definition.type == "bool":
            return "true" if value else "false"
        if definition.type == "json":
            return json.dumps(value, ensure_ascii=False, indent=2)
        return str(value)

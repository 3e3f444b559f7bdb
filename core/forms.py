from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import pending
from .errors import DomainError, Forbidden, InvalidInput, NotFound
from .parsing import normalise_text
from .uploads import DOCUMENT_TYPES


class LoginForm(AuthenticationForm):
    """Standard login; errors are shown in Chinese. django-axes locks out repeated failures."""

    username = forms.CharField(label=_("用户名"), widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    password = forms.CharField(
        label=_("密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    error_messages = {
        "invalid_login": _("用户名或密码错误。连续多次输入错误，账号将被暂时锁定。"),
        "inactive": _("该账号已停用。"),
    }


def call_service(form, fn, *args, **kwargs):
    """Run a service for a form view: a refused request's message goes next to its field (or on
    the form, with the rule ID); Forbidden becomes a 403. Returns None when refused."""
    try:
        return fn(*args, **kwargs)
    except Forbidden as exc:
        raise PermissionDenied(exc.detail) from exc
    except DomainError as exc:
        add_domain_errors(form, exc)
        return None


def add_domain_errors(form, exc: DomainError) -> None:
    """Every problem a domain error carries (its `errors` list, else itself) next to its field,
    or on the form with the rule ID (issue 15 item 2: all errors at once)."""
    for item in exc.errors or [{"code": exc.code, "detail": exc.detail, "field": exc.field}]:
        field = item.get("field") if item.get("field") in form.fields else None
        code = str(item.get("code") or "")
        form.add_error(field, f"{item['detail']}" + (f"（{code}）" if "-" in code else ""))


def refuse_if_forbidden(exc):
    """In a view that shows a refused request as a message: a refusal for lack of permission
    (ACT-*) answers 403 and an object outside the user's scope 404, never a redirect that
    looks like any other outcome (the access-matrix test relies on it)."""
    if isinstance(exc, Forbidden):
        raise PermissionDenied(exc.detail) from exc
    if isinstance(exc, NotFound):
        raise Http404(exc.detail) from exc


# ------------------------------------------------------------ forms never lose work (issue 15 item 2)


def size_limit_text(max_bytes=None) -> str:
    """"单个文件不超过 20 MB" from the limit actually enforced (a setting or policy value)."""
    max_bytes = max_bytes or settings.MAX_UPLOAD_BYTES
    return gettext("单个文件不超过 %(mb)s MB") % {"mb": format(max_bytes / 1048576, "g")}


class CountedTextarea(forms.Textarea):
    """A textarea with a live "已输入 n / max 字" counter. The browser counts a line break as
    one character (the textarea's value uses LF; `maxlength` counts the same), and so does
    the server through `LongTextField` — a CRLF submitted by the form is one character."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # The counter's words in the page's language; the script fills in {n} and {max}.
        context["widget"]["attrs"]["data-counter"] = gettext("已输入 {n} / {max} 字（换行计为 1 字）")
        return context

    class Media:
        js = ("js/textcount.js",)


class LongTextField(forms.CharField):
    """A long free text (a note, a reason): line breaks normalised to LF before the length is
    checked (`core.parsing.normalise_text`), so the limit is the one the browser shows."""

    widget = CountedTextarea

    def __init__(self, *, max_length=2000, rows=3, **kwargs):
        kwargs.setdefault("widget", CountedTextarea(attrs={"rows": rows}))
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault(
            "max_length", _("不得超过 %(limit_value)d 字（换行计为 1 字），当前 %(show_value)d 字"))
        super().__init__(max_length=max_length, **kwargs)

    def to_python(self, value):
        return normalise_text(super().to_python(value))


class KeepsFiles:
    """Mixin for a form whose files must survive a refused submission. After `is_valid()` the
    view calls `keep_files(user)`: each newly chosen file is checked by content and kept as a
    PendingUpload of the user; a file kept earlier comes back through the hidden
    `<field>__pending` id (only the user's own, or its organisation's draft's), and
    `<field>__remove` drops it. `self.kept` maps field name → PendingUpload."""

    upload_allowed = DOCUMENT_TYPES
    upload_max_bytes = None

    def file_field_names(self):
        return [name for name, f in self.fields.items() if isinstance(f, forms.FileField)]

    def keep_files(self, user) -> dict:
        self.kept = getattr(self, "kept", {})
        for name in self.file_field_names():
            upload = self.files.get(name)
            previous = self.data.get(f"{name}__pending")
            if previous and name not in self.kept:
                try:
                    self.kept[name] = pending.pending_upload(user, previous)
                except NotFound:
                    self.add_error(name, gettext("此前上传的文件不存在或无权使用，请重新选择文件"))
            if self.data.get(f"{name}__remove") and name in self.kept:
                pending.discard_uploads([self.kept.pop(name)])
            if upload:
                try:
                    replaced = self.kept.get(name)
                    self.kept[name] = pending.keep_upload(user, upload, allowed=self.upload_allowed,
                                                          max_bytes=self.upload_max_bytes, field=name)
                except InvalidInput as exc:
                    self.add_error(name, exc.detail)
                else:
                    if replaced is not None:  # a newly chosen file replaces the kept one
                        pending.discard_uploads([replaced])
        return self.kept

    def load_kept(self, user, ids: dict) -> None:
        """The uploads a draft holds (field name → id); ids the user may not use are skipped."""
        self.kept = {}
        for name, pk in (ids or {}).items():
            try:
                self.kept[name] = pending.pending_upload(user, pk)
            except NotFound:
                continue

    def kept_files(self) -> dict:
        """Field name → an open File of each kept upload, for the service."""
        return {name: pending.as_file(item) for name, item in getattr(self, "kept", {}).items()}

    def kept_ids(self) -> dict:
        return {name: item.pk for name, item in getattr(self, "kept", {}).items()}

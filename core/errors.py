"""Domain errors. Services raise these; the API turns them into the one JSON error shape
`{"code", "detail", "field"}` and the UI shows `detail` next to the field. Details are written
in Chinese through gettext (`_("…%(x)s…") % {...}`) so they follow the user's language."""

from django.utils.translation import gettext as _


class DomainError(Exception):
    """A refused request. `code` is a rule ID (e.g. "NEG-3") when a rule refused it,
    otherwise a short machine code ("invalid", "not_found", "conflict" …)."""

    status_code = 400

    def __init__(self, code: str, detail: str, field: str | None = None, *, errors: list | None = None):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = str(detail)
        self.field = field
        self.errors = errors

    def as_dict(self) -> dict:
        data = {"code": self.code, "detail": self.detail, "field": self.field}
        if self.errors:
            data["errors"] = self.errors
        return data


class RuleViolation(DomainError):
    """A rule of RULES.md refused the request; `code` is its rule ID."""

    status_code = 422


class InvalidInput(DomainError):
    def __init__(self, detail: str, field: str | None = None, code: str = "invalid", **kw):
        super().__init__(code, detail, field, **kw)


class Conflict(DomainError):
    status_code = 409

    def __init__(self, detail: str, field: str | None = None, code: str = "conflict", **kw):
        super().__init__(code, detail, field, **kw)


class Forbidden(DomainError):
    status_code = 403

    def __init__(self, detail: str, code: str = "forbidden"):
        super().__init__(code, detail, None)


class NotFound(DomainError):
    status_code = 404

    def __init__(self, detail: str | None = None, code: str = "not_found"):
        super().__init__(code, _("对象不存在或无权查看") if detail is None else detail, None)

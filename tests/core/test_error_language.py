"""Issue 9 item 11: rule refusals and service errors follow the interface language —
Chinese by default, English when chosen (page cookie, or the API's Accept-Language) —
through Django's i18n.

Two static checks keep it true for code written later, per app so a failure names the app:
1. no Chinese text reaches an error (an exception raised or constructed: RuleViolation,
   InvalidInput, Conflict, Forbidden, NotFound, ValidationError, ValueError …) or a rule
   message (anything in a `rules.py`) without passing through gettext;
2. every message those places pass through gettext has an English translation.
Module-level data constants that are not messages (keywords matched against product
names, region names …) are listed in DATA_CONSTANTS with the reason."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

CJK = re.compile(r"[\u4e00-\u9fff]")
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy",
           "_lazy", "gettext_noop"}
ERRORS = {"RuleViolation", "InvalidInput", "Conflict", "Forbidden", "NotFound", "DomainError",
          "ValidationError", "PermissionDenied", "ValueError", "Http404", "PermissionDeniedError"}
SKIP_DIRS = {"tests", "migrations", "management", "locale", "demo"}
APPS = sorted(p.parent.name for p in Path(settings.BASE_DIR).glob("*/apps.py")) + ["procurement"]

# (app, module-level constant) → why its Chinese text is data, not a message.
DATA_CONSTANTS: dict[tuple[str, str], str] = {
    # listing (LST-2.2.1 / LST-4): names matched against the catalogue's dosage forms and registration classes.
    ("listing", "DEFAULT_DOSAGE_FORM_COEFFICIENTS"): "dosage-form names (keys) → ratio coefficients (LST-2.2.1)",
    ("listing", "SUGAR_FREE"): "the coefficient key of the sugar-free form (LST-2.2.1)",
    ("listing", "DOSAGE_FORM_ALIASES"): "dosage-form spellings on products → coefficient keys (LST-2.2.1)",
    ("listing", "ORAL_SOLID_HINTS"): "substrings of dosage forms that mark an oral solid (LST-2.2.1)",
    ("listing", "DOSAGE_FORM_FAMILIES"): "substrings of dosage forms that decide the family (LST-2.2.1)",
    ("listing", "INNOVATIVE_CLASSES"): "registration classes as written on products (LST-4)",
    ("catalog", "PROVINCES"): "LST-0.3: province names matched against what enterprises type",
    ("catalog", "HOME_PROVINCE"): "LST-0.3: the home province's name, matched against input",
    ("catalog", "_PROVINCE_ALIASES"): "LST-0.3: short and full province names accepted as input",
    ("catalog", "_PROVINCE_SUFFIXES"): "LST-0.3: suffixes stripped to get a province's short name",
    ("catalog", "_XPCC"): "LST-0.3: the XPCC's full name (it has no province suffix)",
    ("catalog", "_XPCC_SHORT"): "LST-0.3: the XPCC's short name accepted as input",
    ("catalog", "_DATE_PATTERN"): "LST-0.3: Chinese date separators (年/月/日) accepted in price uploads",
}


def _name(func):
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _source_files(app):
    for path in sorted((Path(settings.BASE_DIR) / app).rglob("*.py")):
        rel = path.relative_to(settings.BASE_DIR)
        if set(rel.parts) & SKIP_DIRS or rel.name.startswith(("demo", "bench")):
            continue
        yield rel, ast.parse(path.read_text())


def _scan(app):
    """(untranslated Chinese literals in error/rule positions, gettext msgids in those positions)."""
    untranslated, msgids = [], set()
    for rel, tree in _source_files(app):
        in_gettext, in_scope, exempt = set(), set(), set()
        whole_file = rel.name == "rules.py"
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) in GETTEXT:
                in_gettext.update(id(sub) for sub in ast.walk(node))
            if isinstance(node, ast.Call) and _name(node.func) in ERRORS:
                in_scope.update(id(sub) for sub in ast.walk(node))
            if isinstance(node, ast.Raise) and node.exc is not None:
                in_scope.update(id(sub) for sub in ast.walk(node.exc))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Module) and node.body:
                first = node.body[0]
                if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                    exempt.add(id(first.value))  # docstrings
        for stmt in tree.body:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(stmt, ast.AnnAssign) else []
            if any(isinstance(t, ast.Name) and (app, t.id) in DATA_CONSTANTS for t in targets):
                exempt.update(id(sub) for sub in ast.walk(stmt))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or id(node) in exempt:
                continue
            if not (whole_file or id(node) in in_scope):
                continue
            if id(node) in in_gettext:
                if CJK.search(node.value):
                    msgids.add(node.value)
            elif CJK.search(node.value):
                untranslated.append(f"{rel}:{node.lineno}: {node.value[:50]}")
    return untranslated, msgids


@pytest.mark.parametrize("app", APPS)
def test_no_untranslated_chinese_in_errors_or_rule_messages(app):
    """Issue 9 item 11: a refusal is written as `_("…%(name)s…") % {...}`, never as a bare
    Chinese literal or f-string, so English readers do not get the Chinese source."""
    untranslated, _msgids = _scan(app)
    assert untranslated == []


@pytest.mark.parametrize("app", APPS)
def test_every_error_and_rule_message_has_an_english_translation(app):
    _untranslated, msgids = _scan(app)
    with translation.override("en"):
        missing = sorted(m for m in msgids if translation.gettext(m) == m)
    assert missing == []

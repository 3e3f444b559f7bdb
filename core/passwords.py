"""Password rules beyond Django's: no `Word@2026`-style passwords (a word, a symbol, a year),
nothing built on the platform's demo or default words. The demo loader sets its published
demo passwords directly and never goes through these validators."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# A word, an optional separator, a year, an optional symbol: Demo@2026, Jiangsu2026!, admin_2025.
WORD_YEAR = re.compile(r"^[A-Za-z]{2,16}[^A-Za-z0-9]{0,2}(19|20)\d{2}[^A-Za-z0-9]{0,2}$")
FORBIDDEN_WORDS = ("demo", "password", "passw0rd", "admin", "jiangsu", "procurement", "yibao", "ybj", "123456", "qwerty")


class PatternPasswordValidator:
    def validate(self, password, user=None):
        lowered = password.lower()
        if WORD_YEAR.match(password):
            raise ValidationError(_("密码不能是“单词 + 符号 + 年份”的形式（如 Demo@2026），请使用更难猜的组合。"),
                                  code="password_word_year")
        for word in FORBIDDEN_WORDS:
            if word in lowered:
                raise ValidationError(_("密码不能包含常见词“%(word)s”。") % {"word": word}, code="password_common_word")
        classes = sum(bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))
        if classes < 3:
            raise ValidationError(_("密码须包含大写字母、小写字母、数字、符号中的至少三类。"), code="password_classes")

    def get_help_text(self):
        return _("至少 10 位，包含大写字母、小写字母、数字、符号中的至少三类；不能是“单词 + 年份”或常见词。")

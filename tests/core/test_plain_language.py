"""Issue 15 item 5: rule IDs leave page titles; they stay where they explain a decision
(a "依据" line next to the title)."""

import re
from pathlib import Path

from django.conf import settings

RULE_ID = re.compile(r"\b(?:[A-Z]{2,4})-(?:C?\d)")


def test_no_page_title_names_a_rule_id():
    offenders = []
    for path in sorted((Path(settings.BASE_DIR) / "templates").rglob("*.html")):
        text = path.read_text()
        for title in re.findall(r"<h1[^>]*>(.*?)</h1>", text, re.S) + re.findall(r"{% block title %}(.*?){% endblock", text, re.S):
            if RULE_ID.search(title):
                offenders.append(f"{path.relative_to(settings.BASE_DIR)}: {title.strip()[:80]}")
    assert offenders == []

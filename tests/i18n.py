"""Reading the English catalogues in tests (Chinese is the source language, docs/adr/0002)."""

import re
from pathlib import Path

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def read_po(po: Path) -> dict[str, str]:
    """{msgid: msgstr} of a .po file (multi-line strings joined; the header skipped)."""
    entries, msgid, msgstr, current = {}, None, None, None
    for line in [*Path(po).read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("msgid "):
            msgid, msgstr, current = line[7:-1], None, "id"
        elif line.startswith("msgstr "):
            msgstr, current = line[8:-1], "str"
        elif line.startswith('"') and current:
            if current == "id":
                msgid += line[1:-1]
            else:
                msgstr += line[1:-1]
        else:
            if msgid and msgstr is not None:
                entries[msgid] = msgstr
            msgid, msgstr, current = None, None, None
    return entries


def assert_all_translated(entries: dict[str, str]) -> None:
    """Every msgid of a catalogue has an English msgstr with the same %(name)s placeholders."""
    assert [k for k, v in entries.items() if not v.strip()] == []
    for source, english in entries.items():
        assert set(PLACEHOLDER.findall(source)) == set(PLACEHOLDER.findall(english)), source

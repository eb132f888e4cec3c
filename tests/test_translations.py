"""The zh-hans catalogue is complete and its compiled .mo matches the .po."""

import ast
from pathlib import Path

import pytest
from django.utils import translation

PO_FILE = Path(__file__).resolve().parent.parent / "locale/zh_Hans/LC_MESSAGES/django.po"


def po_entries() -> list[dict]:
    """msgctxt/msgid/msgid_plural/msgstr entries of the catalogue, header and comments left out."""
    entries, entry, key = [], {}, None
    for line in [*PO_FILE.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry.get("msgid"):
                entries.append(entry)
            entry, key = {}, None
        elif line.startswith("#,"):
            entry["flags"] = line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    return entries


ENTRIES = po_entries()


def test_the_catalogue_has_the_portals_messages():
    assert len(ENTRIES) > 200


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["msgid"][:40])
def test_every_message_is_translated_and_compiled(entry):
    translated = entry.get("msgstr") or entry.get("msgstr[0]")
    assert translated, "empty translation"
    assert "fuzzy" not in entry.get("flags", "")

    with translation.override("zh-hans"):
        if "msgid_plural" in entry and "msgctxt" in entry:
            shown = translation.npgettext(
                entry["msgctxt"], entry["msgid"], entry["msgid_plural"], 2
            )
        elif "msgid_plural" in entry:
            shown = translation.ngettext(entry["msgid"], entry["msgid_plural"], 2)
        elif "msgctxt" in entry:
            shown = translation.pgettext(entry["msgctxt"], entry["msgid"])
        else:
            shown = translation.gettext(entry["msgid"])

    assert shown == translated, "run `make messages` to compile the catalogue"

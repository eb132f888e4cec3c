"""The zh-hans catalogue is complete and its compiled .mo matches the .po."""

import ast
import re
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
        elif line.startswith("#:"):
            entry["references"] = entry.get("references", "") + line[2:]
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


# A "%" in a blocktranslate's translation that is neither "%%" nor a "%(name)s"
# placeholder: blocktranslate formats its translation with %, fails on a bare one and
# silently shows the English text instead (as "95%置信区间" did on the dashboard's waiting
# section). {% translate %} does not format: "90%" is right there.
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
BLOCK = re.compile(r"{%\s*blocktranslate\b[^%]*%}(.*?){%\s*(?:plural|endblocktranslate)", re.S)
BARE_PERCENT = re.compile(r"%(?!\(\w+\)[sd])")


def _blocktranslate_msgids() -> set[str]:
    """The singular msgids of the templates' blocktranslate tags, as makemessages writes
    them for a trimmed block: whitespace collapsed, "%" doubled, {{ x }} as %(x)s."""
    msgids = set()
    for template in TEMPLATES.rglob("*.html"):
        for body in BLOCK.findall(template.read_text(encoding="utf-8")):
            text = " ".join(body.split()).replace("%", "%%")
            msgids.add(re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", text))
    return msgids


BLOCK_ENTRIES = [entry for entry in ENTRIES if entry["msgid"] in _blocktranslate_msgids()]


def test_the_blocktranslate_messages_are_found_in_the_catalogue():
    assert len(BLOCK_ENTRIES) > 20


@pytest.mark.parametrize("entry", BLOCK_ENTRIES, ids=lambda e: e["msgid"][:40])
def test_a_blocktranslate_translation_has_no_bare_percent_sign(entry):
    for key in ("msgstr", "msgstr[0]", "msgstr[1]"):
        text = entry.get(key, "").replace("%%", "")
        assert not BARE_PERCENT.search(text), f"write %% or ％ in {text!r}"

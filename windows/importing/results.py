"""What an import reports: per-row errors, counts, and the error that stops a whole file.

The `row N:` prefix and the summary wording are part of contracts.md (sections 2 and 4)
and stay English on the command line and in the API (`ImportResult.summary`); the pages
show the same counts in the viewer's language (`summary_display`, `display_summary` for a
summary stored by a background job). The reasons and the lines that come before the
summary (`notes`: bad reviews stored historical, records created on the fly) are
translated; a job keeps its notes as codes (`note_codes`) so that its page shows them in
the language of whoever looks (`note_text`).
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The upload page and a background job's page list this many rejected rows and count the
# rest (a bad file of 300,000 rows must not become a page of hundreds of MB); the commands
# print them all (contracts.md section 2).
ROWS_LISTED = 200

# What an import may create on the fly (--create-missing), in the order the notes list them.
CREATED_KINDS = {
    "halls": gettext_lazy("halls created: %(count)d"),
    "windows": gettext_lazy("windows created: %(count)d"),
    "service_items": gettext_lazy("service items created: %(count)d"),
    "departments": gettext_lazy("departments created: %(count)d"),
    "staff": gettext_lazy("staff cards created (without a login): %(count)d"),
}
HISTORICAL_BAD = "historical_bad"

SUMMARY_PATTERN = re.compile(r"imported (\d+), unchanged (\d+), rejected (\d+)")


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number: the header is row 1, the first data row is row 2
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.reason}"


@dataclass
class ImportResult:
    imported: int = 0  # rows that created or changed something
    unchanged: int = 0  # rows identical to what is stored
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    # Visits: new bad reviews past their follow-up deadline, stored without a case.
    historical_bad: int = 0
    # With --create-missing: how many of each kind (a key of CREATED_KINDS) were created.
    created: dict[str, int] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        """The contract's line, English in every language (commands, API, stored jobs)."""
        return f"imported {self.imported}, unchanged {self.unchanged}, rejected {self.rejected}"

    @property
    def summary_display(self) -> str:
        """The same counts in the active language, for the pages."""
        return summary_text(self.imported, self.unchanged, self.rejected)

    @property
    def note_codes(self) -> list[dict]:
        """The notes as data (JSON), to be put in words by note_text in any language."""
        codes = [
            {"note": "created", "kind": kind, "count": self.created[kind]}
            for kind in CREATED_KINDS
            if self.created.get(kind)
        ]
        if self.historical_bad:
            codes.append({"note": HISTORICAL_BAD, "count": self.historical_bad})
        return codes

    @property
    def notes(self) -> list[str]:
        """The lines the command prints before the summary (none when there is nothing to
        say), in the active language."""
        return [note_text(code) for code in self.note_codes]

    def count_created(self, kind: str, count: int = 1) -> None:
        """Count records of `kind` (a key of CREATED_KINDS) created on the fly."""
        if kind not in CREATED_KINDS:
            raise ValueError(f"unknown kind of created record: {kind!r}")
        self.created[kind] = self.created.get(kind, 0) + count

    def reject(self, row: int, reason: str) -> None:
        self.rejected += 1
        self.errors.append(RowError(row=row, reason=reason))


def summary_text(imported: int, unchanged: int, rejected: int) -> str:
    """The summary's counts in the active language (the contract's words in English)."""
    return _("imported %(imported)d, unchanged %(unchanged)d, rejected %(rejected)d") % {
        "imported": imported,
        "unchanged": unchanged,
        "rejected": rejected,
    }


def display_summary(summary: str) -> str:
    """A stored contract summary (`imported A, unchanged U, rejected R`) in the active
    language; anything else is returned as it is."""
    match = SUMMARY_PATTERN.fullmatch(summary or "")
    if match is None:
        return summary
    return summary_text(*(int(count) for count in match.groups()))


def note_text(note: dict | str) -> str:
    """One note of note_codes in the active language; a note stored as text (a job of
    before the codes) is returned as it is."""
    if isinstance(note, str):
        return note
    count = int(note.get("count", 0))
    if note.get("note") == HISTORICAL_BAD:
        return _("historical bad reviews (deadline passed, no follow-up case): %(count)d") % {
            "count": count
        }
    template = CREATED_KINDS.get(note.get("kind", ""))
    if note.get("note") == "created" and template is not None:
        return str(template) % {"count": count}
    return str(note)


class ImportFileError(Exception):
    """The whole file is unusable (unknown extension, unreadable, missing required header
    column): str(exc) is the one-line reason."""

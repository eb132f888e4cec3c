"""What an import reports: per-row errors, counts, and the error that stops a whole file.

The `row N:` prefix and the summary wording are part of contracts.md (sections 2 and 4)
and stay English in every language; only the reasons, and the lines that come before
the summary (`notes`), are translated.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

# The upload page and a background job's page list this many rejected rows and count the
# rest (a bad file of 300,000 rows must not become a page of hundreds of MB); the commands
# print them all (contracts.md section 2).
ROWS_LISTED = 200


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

    @property
    def summary(self) -> str:
        return f"imported {self.imported}, unchanged {self.unchanged}, rejected {self.rejected}"

    @property
    def notes(self) -> list[str]:
        """The lines the command prints before the summary (none when there is nothing to say)."""
        notes = []
        if self.historical_bad:
            notes.append(
                _("historical bad reviews (deadline passed, no follow-up case): %(count)d")
                % {"count": self.historical_bad}
            )
        return notes

    def reject(self, row: int, reason: str) -> None:
        self.rejected += 1
        self.errors.append(RowError(row=row, reason=reason))


class ImportFileError(Exception):
    """The whole file is unusable (unknown extension, unreadable, missing required header
    column): str(exc) is the one-line reason."""

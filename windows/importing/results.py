"""What an import reports: per-row errors, counts, and the error that stops a whole file.

The `row N:` prefix and the summary wording are part of contracts.md (sections 2 and 4)
and stay English in every language; only the reasons are translated.
"""

from dataclasses import dataclass, field


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

    @property
    def summary(self) -> str:
        return f"imported {self.imported}, unchanged {self.unchanged}, rejected {self.rejected}"

    def reject(self, row: int, reason: str) -> None:
        self.rejected += 1
        self.errors.append(RowError(row=row, reason=reason))


class ImportFileError(Exception):
    """The whole file is unusable (unknown extension, unreadable, missing required header
    column): str(exc) is the one-line reason."""

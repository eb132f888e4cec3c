"""File imports of the hall's configuration and of the queue system's visits."""

from .results import ImportFileError, ImportResult, RowError
from .visits import visits_import, visits_ingest
from .windows import windows_import

__all__ = [
    "ImportFileError",
    "ImportResult",
    "RowError",
    "visits_import",
    "visits_ingest",
    "windows_import",
]

"""File imports of the hall's configuration and of the queue system's visits."""

from .results import ImportFileError, ImportResult, RowError
from .visits import visits_import
from .windows import windows_import

__all__ = ["ImportFileError", "ImportResult", "RowError", "visits_import", "windows_import"]

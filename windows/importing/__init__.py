"""File imports of the hall's configuration, and the row checks and readers every import
shares (the queue system's visits import is imports/visits.py, above the apps it writes)."""

from .results import ImportFileError, ImportResult, RowError
from .staff import staff_import
from .windows import windows_import

__all__ = ["ImportFileError", "ImportResult", "RowError", "staff_import", "windows_import"]

"""The imports use the windows tests' configured hall (windows 1 and 2, staff, items)."""

from tests.windows.conftest import configured_hall, items, window  # noqa: F401

"""The tablet's request limits count with the portal's one sliding-window counter in the
shared cache (windows/slot_counter.py, where the hall's other screens use it too)."""

from windows.slot_counter import Hit, count, give_back, hit, retry_after

__all__ = ["Hit", "count", "give_back", "hit", "retry_after"]

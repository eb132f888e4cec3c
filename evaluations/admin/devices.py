"""Admin of devices (filled in by its feature)."""

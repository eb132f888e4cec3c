"""Admin of surveys (filled in by its feature)."""

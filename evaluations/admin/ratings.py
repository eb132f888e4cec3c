"""Admin of ratings (filled in by its feature)."""

"""Surge early warning: today's projection against the hall's history (issue 15.1)."""

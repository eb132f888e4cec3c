"""Satisfaction against waiting and service time (issue 15.2)."""

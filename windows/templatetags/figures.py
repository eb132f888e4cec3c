"""`{% load figures %}` · `{{ rate_pct|percent }}`: a percentage as the portal writes it,
from the one rounding rule (windows/rules/rounding.py): "100.00%", or "—" without one."""

from decimal import InvalidOperation

from django import template

from windows.rules.rounding import percent_text

register = template.Library()


@register.filter
def percent(pct) -> str:
    """A missing figure (None, or "" for a name the template could not resolve) is "—"."""
    if pct is None or pct == "":
        return percent_text(None)
    try:
        return percent_text(pct)
    except (InvalidOperation, TypeError, ValueError):
        return percent_text(None)

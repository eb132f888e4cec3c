"""`{% load figures %}` · `{{ rate_pct|percent }}`: a percentage as the portal writes it,
from the one rounding rule (windows/rules/rounding.py): "100.00%", or "—" without one."""

from django import template

from windows.rules.rounding import percent_text

register = template.Library()


@register.filter
def percent(pct) -> str:
    return percent_text(pct)

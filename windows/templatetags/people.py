"""`{% load people %}` · `{{ user|person }}`: a name, not a login (windows/people.py)."""

from django import template

from windows.people import person_name

register = template.Library()


@register.filter
def person(user) -> str:
    return person_name(user)

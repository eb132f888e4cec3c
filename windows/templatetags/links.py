"""`{% load links %}`: absolute links to the portal in emails (windows/links.py).

{% portal_url 'complaints:detail' case.pk %}   → https://host/complaints/1/
{{ some_path|absolute_url }}                   → https://host/some/path/
"""

from django import template

from windows import links

register = template.Library()


@register.simple_tag
def portal_url(viewname: str, *args, **kwargs) -> str:
    return links.portal_url(viewname, *args, **kwargs)


@register.filter
def absolute_url(path: str) -> str:
    return links.absolute_url(str(path))

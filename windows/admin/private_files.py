"""The admin's links to stored files go to the private-file views, never to FieldFile.url.

MEDIA_ROOT has no public URL (windows/private_files.py): the file widgets ("Currently:
…") and the read-only file fields link the download view of the row instead, which checks
the user's halls and role like every other page.
"""

from __future__ import annotations

import posixpath

from django.contrib.admin.widgets import AdminFileWidget
from django.urls import reverse
from django.utils.html import format_html


class _LinkedFile:
    """What the widget's template reads of the current file: its name and a URL."""

    def __init__(self, file, url: str) -> None:
        self.file = file
        self.url = url

    def __str__(self) -> str:
        return posixpath.basename(self.file.name or "")


class PrivateFileWidget(AdminFileWidget):
    """The admin's file input whose "Currently:" link is the row's download view (a URL
    name taking the row's pk; the row is the current file's instance)."""

    def __init__(self, attrs=None, *, url_name: str) -> None:
        super().__init__(attrs)
        self.url_name = url_name

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        instance = getattr(value, "instance", None)
        if context["widget"]["is_initial"]:
            if instance is not None and instance.pk:
                url = reverse(self.url_name, args=[instance.pk])
                context["widget"]["value"] = _LinkedFile(value, url)
            else:
                context["widget"]["is_initial"] = False
        return context


def private_file_link(file, url_name: str, pk) -> str:
    """A read-only field's link to a stored file, through its download view."""
    if not file:
        return "-"
    url = reverse(url_name, args=[pk])
    return format_html('<a href="{}">{}</a>', url, posixpath.basename(file.name))


class PrivateFileAdminMixin:
    """Editable file fields link their download view: {field name: URL name taking pk}."""

    private_file_views: dict[str, str] = {}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.private_file_views:
            kwargs["widget"] = PrivateFileWidget(url_name=self.private_file_views[db_field.name])
        return super().formfield_for_dbfield(db_field, request, **kwargs)

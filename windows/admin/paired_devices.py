"""The admin frame of every paired device (rating tablets, ticket kiosks, big screens).

A device is created together with its one-time pairing code: the add page issues one and
shows it once (with its link and QR code); the change list revokes devices in bulk. The
pairing rule itself lives in windows/pairing.py; each admin says only what differs: its
form, how a device is issued and revoked, its pairing page, its templates and its words.
"""

from __future__ import annotations

import segno
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from windows.admin.scoping import HallScopedAdmin
from windows.links import absolute_url
from windows.pairing import pairing_status


class PairedDeviceAdmin(HallScopedAdmin):
    """A HallScopedAdmin whose add page issues a pairing code instead of a plain form."""

    issue_url_name: str  # the URL name of the issue page, e.g. "windows_halldevice_issue"
    issue_template: str  # the form asking what to pair
    pairing_code_template: str  # the page showing the code once

    # --- what each device admin supplies -------------------------------------------------

    def issue_form(self, request: HttpRequest) -> forms.Form:
        raise NotImplementedError

    def issue_device(self, cleaned_data: dict) -> tuple[Model, str]:
        """Create the device and its pairing code from the valid form: (device, code)."""
        raise NotImplementedError

    def pairing_path(self, device: Model) -> str:
        """The path of the page the device opens to pair itself."""
        raise NotImplementedError

    def revoke_device(self, device: Model) -> None:
        raise NotImplementedError

    def revoked_message(self, count: int) -> str:
        raise NotImplementedError

    # --- the frame -----------------------------------------------------------------------

    @admin.display(description=_("pairing status"))
    def pairing_status(self, obj: Model) -> str:
        return pairing_status(obj)

    def revoke_devices(self, request: HttpRequest, queryset: QuerySet) -> None:
        """The body of each admin's revoke action: revoke the selected live devices."""
        count = 0
        for device in queryset.filter(revoked_at__isnull=True):
            self.revoke_device(device)
            count += 1
        self.message_user(request, self.revoked_message(count), messages.SUCCESS)

    def get_urls(self):
        view = self.admin_site.admin_view(self.issue_view)
        return [path("issue/", view, name=self.issue_url_name), *super().get_urls()]

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None):
        return self.issue_view(request)

    @method_decorator(never_cache)
    def issue_view(self, request: HttpRequest) -> HttpResponse:
        """Issue a pairing code; the code is shown once and stored only hashed."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = self.issue_form(request)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Issue a pairing code"),
            "form": form,
        }
        if request.method == "POST" and form.is_valid():
            device, code = self.issue_device(form.cleaned_data)
            self.log_addition(request, device, [{"added": {}}])
            # The address the device opens (PORTAL_BASE_URL), whatever host this page has.
            link = absolute_url(f"{self.pairing_path(device)}?code={code}")
            qr_svg = segno.make(link, error="m").svg_inline(scale=5, border=2)
            context.update({"device": device, "code": code, "link": link, "qr_svg": qr_svg})
            return TemplateResponse(request, self.pairing_code_template, context)
        return TemplateResponse(request, self.issue_template, context)

"""django-axes' records (failed logins, lockouts, logins) as the admin names them.

axes names its records in English with the raw UTC time ("Attempted Access:
2026-11-27 22:02:22.006621+00:00"); the admin shows that name in its titles, breadcrumbs
and checkbox labels. Here they are named in the reader's language with the local time to
the second, and the status column of the failed logins gets a translated header. axes
ships no Simplified Chinese: its field names and verbose names are
translated in the project's catalogue (hall/third_party_messages.py keeps them there).
"""

from __future__ import annotations

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def _at(moment) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i:s") if moment else "—"


def _attempt(self: AccessAttempt) -> str:
    return _("Failed logins of %(username)s, last at %(at)s") % {
        "username": self.username or "—",
        "at": _at(self.attempt_time),
    }


def _failure(self: AccessFailureLog) -> str:
    text = _("Failed login of %(username)s at %(at)s") % {
        "username": self.username or "—",
        "at": _at(self.attempt_time),
    }
    if self.locked_out:
        return _("%(failure)s (locked out)") % {"failure": text}
    return text


def _log(self: AccessLog) -> str:
    return _("Login of %(username)s at %(at)s") % {
        "username": self.username or "—",
        "at": _at(self.attempt_time),
    }


AccessAttempt.__str__ = _attempt
AccessFailureLog.__str__ = _failure
AccessLog.__str__ = _log


class LockoutAttemptAdmin(AccessAttemptAdmin):
    """axes' list of failed logins, its status column named (axes leaves it "Status")."""

    @admin.display(description=gettext_lazy("status"))
    def status(self, obj: AccessAttempt) -> str:
        return super().status(obj)


admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, LockoutAttemptAdmin)
# axes names its app "Axes" (no verbose name) on the admin's index.
apps.get_app_config("axes").verbose_name = gettext_lazy("Login security")

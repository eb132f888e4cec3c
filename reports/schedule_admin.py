"""The scheduled jobs (django-celery-beat's periodic tasks) named in the reader's language.

The portal's jobs are created by migrations under fixed English names (`reports: daily
bulletins`), which the migrations and `schedule_bulletins` find them by, so the names stay
as they are; the admin shows each job by a translated name (a job the portal does not know
by its stored name).
"""

from __future__ import annotations

import re

from django.contrib import admin
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_celery_beat.admin import PeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask

from reports.models import BulletinKind

JOB_NAMES = {
    "reports: daily bulletins": _("Daily bulletins"),
    "reports: weekly bulletins": _("Weekly bulletins"),
    "reports: monthly bulletins": _("Monthly bulletins"),
    "reports: daily reminders": _("Daily reminders of cases and measures due"),
    "evaluations: daily reminders": _("Daily reminders of cases and measures due"),
    "windows: close visits left in service": _("Close visits left in service overnight"),
}
# schedule_bulletins' one-off jobs: "reports: daily bulletins of 2026-11-27 (once)".
ONE_OFF = re.compile(r"reports: (daily|weekly|monthly) bulletins of (\d{4}-\d\d-\d\d) \(once\)")


def job_name(name: str) -> str:
    """A periodic task's name in the active language (an unknown name as it is)."""
    if name in JOB_NAMES:
        return str(JOB_NAMES[name])
    match = ONE_OFF.fullmatch(name)
    if match is not None:
        return _("%(kind)s of %(day)s, once") % {
            "kind": capfirst(BulletinKind(match.group(1)).label),
            "day": match.group(2),
        }
    return name


class ScheduledJobAdmin(PeriodicTaskAdmin):
    list_display = ("shown_name", *PeriodicTaskAdmin.list_display[1:])

    @admin.display(description=_("name"), ordering="name")
    def shown_name(self, obj: PeriodicTask) -> str:
        return job_name(obj.name)

    @admin.display(description=_("schedule in words"))
    def crontab_translation(self, obj: PeriodicTask) -> str:
        return super().crontab_translation(obj)


admin.site.unregister(PeriodicTask)
admin.site.register(PeriodicTask, ScheduledJobAdmin)
# django-celery-beat names a task "<name>: <schedule>" in English (the admin's titles,
# breadcrumbs and checkbox labels); the schedule is on the task's own page.
PeriodicTask.__str__ = lambda self: job_name(self.name)

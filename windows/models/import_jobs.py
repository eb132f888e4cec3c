"""An admin upload too big to import within the request: a Celery job the page follows."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ImportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("import job", "queued")
        RUNNING = "running", pgettext_lazy("import job", "running")
        DONE = "done", pgettext_lazy("import job", "done")
        FAILED = "failed", pgettext_lazy("import job", "failed")

    kind = models.CharField(_("import"), max_length=20)  # a runner of windows.importing.jobs
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    # The uploaded file, kept in the (private) default storage until the job has read it.
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", blank=True)
    filename = models.CharField(_("file name"), max_length=255)
    options = models.JSONField(_("options"), default=dict)
    language = models.CharField(_("language"), max_length=10, blank=True)  # the uploader's
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    # The result, as the page shows it: the contract's summary, the first rejected rows
    # (row, reason) and how many there were in all, the notes, or why the file was refused.
    summary = models.CharField(_("summary"), max_length=200, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    rejected = models.PositiveIntegerField(_("rejected rows"), default=0)
    errors = models.JSONField(_("first rejected rows"), default=list)
    notes = models.JSONField(_("notes"), default=list)
    file_error = models.TextField(_("file error"), blank=True)
    task_id = models.CharField(_("task"), max_length=50, blank=True)  # its progress
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} · {self.filename} · {self.get_status_display()}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

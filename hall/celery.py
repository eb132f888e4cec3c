"""The Celery application: configured from Django settings (CELERY_* names)."""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hall.settings.production")

app = Celery("hall")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def make_filesystem_broker_folders(sender: Celery, **kwargs) -> None:
    """The server-less `filesystem://` transport and `file://` results need their folders."""
    if str(sender.conf.broker_url).startswith("filesystem://"):
        for key in ("data_folder_in", "data_folder_out", "control_folder"):
            folder = sender.conf.broker_transport_options.get(key)
            if folder:
                Path(folder).mkdir(parents=True, exist_ok=True)
    result_backend = str(sender.conf.result_backend or "")
    if result_backend.startswith("file://"):
        Path(result_backend.removeprefix("file://")).mkdir(parents=True, exist_ok=True)


@app.task(name="hall.ping", ignore_result=False)
def ping() -> str:
    """A no-op task that proves a worker is consuming from the broker."""
    return "pong"

"""The embedded default's broker (kombu's filesystem transport) takes a task without a
warning: "filesystem://" alone made kombu log "No hostname was supplied" on stderr of
every command that queued one (an import opening cases, for example)."""

from __future__ import annotations

import logging

from django.conf import settings
from kombu import Connection


def test_a_task_message_goes_into_the_filesystem_queue_without_a_warning(tmp_path, caplog):
    queue, control = tmp_path / "queue", tmp_path / "control"
    queue.mkdir()
    control.mkdir()
    options = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS, "data_folder_in": str(queue),
               "data_folder_out": str(queue), "control_folder": str(control)}  # fmt: skip
    caplog.set_level(logging.WARNING, logger="kombu")

    with Connection(settings.FILESYSTEM_BROKER_URL, transport_options=options) as connection:
        # Celery's producer pool works on clones of the broker connection, as here.
        with connection.clone() as clone, clone.SimpleQueue("celery") as simple:
            simple.put({"task": "probe"})

    if not settings.REDIS_URL:
        assert settings.CELERY_BROKER_URL == settings.FILESYSTEM_BROKER_URL
    assert len(list(queue.iterdir())) == 1
    assert [r.getMessage() for r in caplog.records if r.name.startswith("kombu")] == []

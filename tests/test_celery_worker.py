"""A real Celery worker process consumes a task from the broker `make run` would use.

Always on the server-less `filesystem://` transport (the embedded default); on Redis
too when REDIS_URL is set (the PostgreSQL + Redis leg of .ci/run).
"""

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery import Celery

ROOT = Path(__file__).resolve().parent.parent
CELERY = str(Path(sys.executable).with_name("celery"))


def filesystem_broker(tmp_path: Path) -> tuple[dict[str, str], Celery]:
    broker_dir, results = tmp_path / "broker", tmp_path / "results"
    for folder in (broker_dir / "queue", broker_dir / "control", results):
        folder.mkdir(parents=True)
    env = {
        "CELERY_FILESYSTEM_BROKER_DIR": str(broker_dir),
        "CELERY_RESULT_BACKEND": f"file://{results}",
    }
    client = Celery(
        "probe",
        set_as_current=False,  # the portal's app stays current: its shared tasks stay eager
        broker="filesystem://",
        backend=f"file://{results}",
        broker_transport_options={
            "data_folder_in": str(broker_dir / "queue"),
            "data_folder_out": str(broker_dir / "queue"),
            "control_folder": str(broker_dir / "control"),
            "store_processed": False,
        },
    )
    return env, client


def redis_broker(tmp_path: Path) -> tuple[dict[str, str], Celery]:
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.skip("REDIS_URL is not set: the Redis leg runs in .ci/run")
    return {"REDIS_URL": redis_url}, Celery(
        "probe", set_as_current=False, broker=redis_url, backend=redis_url
    )


@pytest.mark.broker
@pytest.mark.parametrize(
    "make_broker", [filesystem_broker, redis_broker], ids=["filesystem", "redis"]
)
def test_a_worker_process_runs_a_task_from_the_broker(tmp_path, make_broker):
    env, client = make_broker(tmp_path)
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "hall.settings.local", **env}
    if "REDIS_URL" not in env:
        worker_env.pop("REDIS_URL", None)
    worker = subprocess.Popen(
        [CELERY, "-A", "hall", "worker", "--pool", "solo", "-Q", queue, "--loglevel", "WARNING"],
        cwd=ROOT,
        env=worker_env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        result = client.send_task("hall.ping", queue=queue)

        assert result.get(timeout=60) == "pong"
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        _, stderr = worker.communicate(timeout=30)
    assert b"Traceback" not in stderr, stderr.decode()


@pytest.mark.parametrize("make_broker", [filesystem_broker], ids=["filesystem"])
def test_a_probe_client_leaves_the_portals_app_current(tmp_path, make_broker):
    """A probe app made current would take over every shared task queued after it: the
    surge alert's eager email went into a probe's broker folder instead of running."""
    from celery import current_app

    from hall.celery import app

    make_broker(tmp_path)
    assert current_app.main == app.main == "hall"

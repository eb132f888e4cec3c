"""`make run`: migrate, load the demo hall, then serve the portal with a Celery worker and beat.

Runs inside the project's virtual environment. Ctrl-C stops all three processes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CELERY = str(Path(PYTHON).with_name("celery"))


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, check=True)


def start(name: str, command: list[str]) -> subprocess.Popen:
    print(f"[run] starting {name}: {' '.join(command)}", flush=True)
    # Each child gets its own process group so that Ctrl-C is handled here, once.
    return subprocess.Popen(command, cwd=ROOT, start_new_session=True)


def stop_all(processes: dict[str, subprocess.Popen]) -> None:
    for name, process in processes.items():
        if process.poll() is None:
            print(f"[run] stopping {name}", flush=True)
            # The main process only: a Celery worker then shuts its pool down warmly.
            process.terminate()
    deadline = time.monotonic() + 15
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def main() -> int:
    port = os.environ.get("PORT", "8000")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hall.settings.local")
    (ROOT / "var").mkdir(exist_ok=True)
    manage("migrate", "--noinput")
    manage("collectstatic", "--noinput", "--verbosity", "0")
    manage("seed_demo")
    processes = {
        "web": start("web", [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]),
        "worker": start(
            "worker", [CELERY, "-A", "hall", "worker", "--loglevel", "INFO", "--concurrency", "2"]
        ),
        "beat": start(
            "beat",
            # No pid file: a stale one left by a killed run would stop beat starting.
            [CELERY, "-A", "hall", "beat", "--loglevel", "INFO", "--pidfile="],
        ),
    }
    # Beat builds yesterday's daily bulletin once, shortly: it lands in var/outbox/.
    manage("schedule_bulletins", "--kind", "daily", "--in-seconds", "30")
    manage("demo_logins")
    print(f"\n[run] The hall portal is at http://127.0.0.1:{port}/  (admin: /admin/)")
    print("[run] Press Ctrl-C to stop the web server, the worker and beat.\n", flush=True)

    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        while not stopping:
            for name, process in processes.items():
                if process.poll() is not None:
                    print(f"[run] {name} exited with code {process.returncode}", flush=True)
                    stopping = True
            time.sleep(0.5)
    finally:
        stop_all(processes)
    print("[run] stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

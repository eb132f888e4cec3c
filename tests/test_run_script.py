"""`make run` (scripts/run.py) stops cleanly at any moment and refuses a busy port.

Each case starts `python scripts/run.py` as `make run` does, on a free port, with its database,
media, outbox and Celery broker in a temporary directory (never db.sqlite3 or var/ of the
checkout). It waits for one phase by reading run.py's output — during migrate, during the
demo seed, right after the page first answers, a few seconds into the steady state — and
sends SIGTERM to run.py (a service manager, `kill`) or SIGINT to its process group (Ctrl-C in
a terminal). Within 20 s run.py must have exited, no process it started may remain and the
port must be free for the next run. Processes are found by a marker variable in their
environment, so a leaked grandchild is found too.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUN_SCRIPT = ROOT / "scripts" / "run.py"
MARKER = "HALL_RUN_SCRIPT_TEST_MARKER"
STOP_WITHIN = 20.0
# Migrating, collecting the static files and seeding the demo hall take ~30 s here.
START_TIMEOUT = 240.0

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="finds processes through /proc"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    """Nothing listens on the port and a server can bind it, as runserver does."""
    with socket.socket() as probe:
        probe.settimeout(1)
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            return False
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def marked_processes(marker: str) -> dict[int, str]:
    """Live processes whose environment carries the marker: pid → command line."""
    needle = f"{MARKER}={marker}".encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # gone meanwhile, or not ours
            continue
        if stat.rsplit(")", 1)[1].split()[0] == "Z":  # a zombie is no process left
            continue
        found[int(entry.name)] = cmdline.strip()
    return found


class Run:
    """One `python scripts/run.py` with its own port, directory and marker."""

    def __init__(self, tmp: Path, port: int) -> None:
        tmp.mkdir(parents=True)
        self.port = port
        self.marker = uuid.uuid4().hex
        self.db = tmp / "db.sqlite3"
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE", "CELERY_RESULT_BACKEND"}
        }
        env.update(
            {
                MARKER: self.marker,
                "PORT": str(port),
                "PYTHONUNBUFFERED": "1",
                # A third of the demo's visits (the seed then takes ~5-8 s): the phases,
                # not the seed's volume, are under test (tests/demo covers the full seed).
                "DEMO_SCALE": "0.3",
                "DJANGO_SETTINGS_MODULE": "hall.settings.local",
                "DATABASE_URL": f"sqlite:///{self.db}",
                "MEDIA_ROOT": str(tmp / "media"),
                "EMAIL_FILE_PATH": str(tmp / "outbox"),
                "CELERY_FILESYSTEM_BROKER_DIR": str(tmp / "celery-broker"),
                "CELERY_RESULT_BACKEND": f"file://{tmp / 'celery-results'}",
            }
        )
        self.lines: list[str] = []
        self._changed = threading.Condition()
        # Its own session, as a terminal's foreground job has its own process group.
        self.process = subprocess.Popen(
            [sys.executable, str(RUN_SCRIPT)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for raw in self.process.stdout:
            with self._changed:
                self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self._changed.notify_all()

    def output(self) -> str:
        with self._changed:
            return "\n".join(self.lines)

    def wait_for_line(self, pattern: str, timeout: float = START_TIMEOUT) -> str:
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        seen = 0
        with self._changed:
            while True:
                for line in self.lines[seen:]:
                    if regex.search(line):
                        return line
                seen = len(self.lines)
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    break
                self._changed.wait(min(left, 0.5))
        pytest.fail(f"run.py never printed /{pattern}/; its output:\n{self.output()[-4000:]}")

    def wait_until_page_answers(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"run.py exited:\n{self.output()[-4000:]}"
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                connection.request("GET", "/")
                connection.getresponse().read()
                return
            except OSError:
                time.sleep(0.1)
            finally:
                connection.close()
        pytest.fail(f"the page never answered; run.py's output:\n{self.output()[-4000:]}")

    def send(self, signum: int) -> None:
        if signum == signal.SIGINT:
            os.killpg(self.process.pid, signum)  # Ctrl-C reaches the whole foreground group
        else:
            os.kill(self.process.pid, signum)  # a service manager or `kill` names run.py

    def assert_stops_cleanly(self) -> None:
        deadline = time.monotonic() + STOP_WITHIN
        try:
            self.process.wait(timeout=STOP_WITHIN)
        except subprocess.TimeoutExpired:
            pass
        left = marked_processes(self.marker)
        free = port_is_free(self.port)
        while (left or not free) and time.monotonic() < deadline:
            time.sleep(0.2)
            left = marked_processes(self.marker)
            free = port_is_free(self.port)
        tail = self.output()[-3000:]
        assert self.process.poll() is not None, f"run.py still runs after 20 s:\n{tail}"
        assert not left, f"left running after 20 s: {left}\nrun.py's output:\n{tail}"
        assert free, f"port {self.port} still taken after 20 s\nrun.py's output:\n{tail}"

    def kill_everything(self) -> None:
        """Clean up after a failed case: only the processes this run started."""
        for pid in marked_processes(self.marker):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        self.process.stdout.close()


@pytest.fixture
def start_run(tmp_path):
    runs: list[Run] = []

    def start(port: int | None = None) -> Run:
        run = Run(tmp_path / f"run{len(runs)}", port or free_port())
        runs.append(run)
        return run

    yield start
    for run in runs:
        run.kill_everything()


def reach_phase(run: Run, phase: str, start_run) -> None:
    if phase == "migrate":
        run.wait_for_line(r"^\[run\] phase: migrate")
        run.wait_for_line(r"Applying ")  # migrations are being applied right now
    elif phase == "seed":
        run.wait_for_line(r"^\[run\] phase: seed_demo")
        time.sleep(2)  # well inside the seed, which takes ~5-8 s at DEMO_SCALE 0.3
        # Meanwhile a second run on the same port says so and starts nothing.
        second = start_run(run.port)
        assert second.process.wait(timeout=20) != 0
        assert f"port {run.port}" in second.output()
        assert not marked_processes(second.marker)
        assert not second.db.exists()
    elif phase == "page answers":
        run.wait_for_line(r"^\[run\] starting web")
        run.wait_until_page_answers()
    elif phase == "steady":
        run.wait_for_line(r"^\[run\] ready")
        time.sleep(4)
    else:  # pragma: no cover
        raise AssertionError(phase)


CASES = [
    pytest.param(signal.SIGTERM, "migrate", id="SIGTERM-migrate"),
    pytest.param(signal.SIGTERM, "seed", id="SIGTERM-seed"),
    pytest.param(signal.SIGTERM, "page answers", id="SIGTERM-page-answers"),
    pytest.param(signal.SIGTERM, "steady", id="SIGTERM-steady"),
    pytest.param(signal.SIGINT, "migrate", id="SIGINT-migrate"),
    pytest.param(signal.SIGINT, "page answers", id="SIGINT-page-answers"),
]


@pytest.mark.parametrize(("signum", "phase"), CASES)
def test_a_signal_at_any_phase_stops_everything(start_run, signum, phase):
    run = start_run()
    reach_phase(run, phase, start_run)
    assert run.process.poll() is None, f"run.py exited early:\n{run.output()[-4000:]}"
    run.send(signum)
    run.assert_stops_cleanly()


def test_a_busy_port_is_refused_before_anything_starts(start_run):
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = start_run(port)
        try:
            code = run.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            code = None
        assert code not in (None, 0), f"run.py did not refuse port {port}:\n{run.output()}"
        assert f"port {port}" in run.output()
        assert "busy" in run.output()
        assert not marked_processes(run.marker)
        assert not run.db.exists(), "run.py migrated before checking the port"

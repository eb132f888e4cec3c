"""`make run`: migrate, load the demo hall, then serve the portal with a Celery worker and beat.

Runs inside the project's virtual environment. It stops cleanly at any moment: SIGINT
(Ctrl-C), SIGTERM (a service manager, `kill`) or SIGHUP (a closed terminal) stops whatever
runs — a migration, the seed, the web server, the worker, beat — and it exits only once they
are gone. A second signal skips the grace period. Every child runs in a process group of its
own (Ctrl-C is handled here, once) and, on Linux, is sent SIGTERM by the kernel should this
process die without cleaning up (even by SIGKILL). The port is checked, and held, before
anything starts: a second `make run` on a busy port says so and starts nothing.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CELERY = str(Path(PYTHON).with_name("celery"))
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
GRACE_SECONDS = 10.0  # then whatever still runs is killed
POLL_SECONDS = 0.1
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def say(message: str, *, stream=None) -> None:
    try:
        print(f"[run] {message}", file=stream or sys.stdout, flush=True)
    except OSError:  # the terminal is gone (SIGHUP): keep stopping quietly
        pass


def signal_name(signum: int) -> str:
    return signal.Signals(signum).name


def die_with_parent() -> Callable[[], None] | None:
    """A preexec_fn asking Linux to send the child SIGTERM when this process dies."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the line above: go too
            os._exit(1)

    return preexec


class Runner:
    """Starts the children, watches them, and stops all of them on a signal."""

    def __init__(self) -> None:
        self.children: dict[str, subprocess.Popen] = {}
        self.stop_signal: int | None = None
        self.hurry = False
        self.preexec = die_with_parent()

    def on_signal(self, signum: int, frame) -> None:
        # Only flags: the loops below notice within POLL_SECONDS.
        if self.stop_signal is None:
            self.stop_signal = signum
        else:
            self.hurry = True

    @property
    def stopping(self) -> bool:
        return self.stop_signal is not None

    def spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        process = subprocess.Popen(
            command, cwd=ROOT, start_new_session=True, preexec_fn=self.preexec
        )
        self.children[name] = process
        return process

    def phase(self, name: str, *args: str) -> int | None:
        """Run `manage.py <args>` to its end: its exit code, or None when stopped meanwhile."""
        if self.stopping:
            return None
        say(f"phase: {name}")
        process = self.spawn(name, [PYTHON, "manage.py", *args])
        while process.poll() is None:
            if self.stopping:
                return None
            time.sleep(POLL_SECONDS)
        del self.children[name]
        if process.returncode != 0:
            say(f"{name} failed with exit code {process.returncode}", stream=sys.stderr)
        return process.returncode

    def start(self, name: str, command: list[str]) -> None:
        if not self.stopping:
            say(f"starting {name}: {' '.join(command)}")
            self.spawn(name, command)

    def watch(self) -> int:
        """Until a signal or a child's exit: 0 when stopped by a signal."""
        while not self.stopping:
            for name, process in self.children.items():
                if process.poll() is not None:
                    say(f"{name} exited with code {process.returncode}", stream=sys.stderr)
                    return process.returncode or 1
            time.sleep(POLL_SECONDS)
        return 0

    def stop_all(self) -> None:
        if self.stop_signal is not None:
            say(f"{signal_name(self.stop_signal)}: stopping")
        for name, process in self.children.items():
            if process.poll() is None:
                say(f"stopping {name}")
                # The main process only: a Celery worker then shuts its pool down warmly.
                process.terminate()
        deadline = time.monotonic() + GRACE_SECONDS
        while any(process.poll() is None for process in self.children.values()):
            if self.hurry or time.monotonic() > deadline:
                break
            time.sleep(POLL_SECONDS)
        for name, process in self.children.items():
            if process.poll() is None:
                say(f"killing {name}")
            # Also whatever it left behind in its group (a worker's pool, say).
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            process.wait()
        self.children.clear()


def hold_port(port: int) -> socket.socket | None:
    """Listen on the port until the web server takes it over; None when it is busy."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as runserver does
    try:
        sock.bind(("127.0.0.1", port))
        sock.listen(1)
    except OSError:
        sock.close()
        return None
    return sock


def demo_scale_arguments() -> list[str]:
    """`--scale` for seed_demo from DEMO_SCALE (e.g. 0.1 for a tenth of the source hall's
    visits: a quicker first start); seed_demo refuses a value it cannot use."""
    scale = os.environ.get("DEMO_SCALE", "").strip()
    return ["--scale", scale] if scale else []


def main() -> int:
    runner = Runner()
    # First thing: from here on a signal stops the run, whatever it is doing.
    for signum in STOP_SIGNALS:
        signal.signal(signum, runner.on_signal)

    raw_port = os.environ.get("PORT", "8000")
    try:
        port = int(raw_port)
    except ValueError:
        say(f"PORT={raw_port} is not a port number.", stream=sys.stderr)
        return 2
    held = hold_port(port)
    if held is None:
        say(
            f"port {port} is busy: another `make run` or another server uses "
            f"127.0.0.1:{port}. Stop it first, or pick another port: make run PORT={port + 1}",
            stream=sys.stderr,
        )
        return 1

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hall.settings.local")
    (ROOT / "var").mkdir(exist_ok=True)
    code = 0
    try:
        for name, *args in (
            ("migrate", "migrate", "--noinput"),
            ("collectstatic", "collectstatic", "--noinput", "--verbosity", "0"),
            ("seed_demo", "seed_demo", "--region", *demo_scale_arguments()),
        ):
            code = runner.phase(name, *args) or 0
            if code or runner.stopping:
                return code
        held.close()  # the web server binds it next
        runner.start("web", [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"])
        runner.start(
            "worker", [CELERY, "-A", "hall", "worker", "--loglevel", "INFO", "--concurrency", "2"]
        )
        # No pid file: a stale one left by a killed run would stop beat starting.
        runner.start("beat", [CELERY, "-A", "hall", "beat", "--loglevel", "INFO", "--pidfile="])
        # Beat builds yesterday's daily bulletin once, shortly: it lands in var/outbox/.
        for name, *args in (
            ("schedule_bulletins", "schedule_bulletins", "--kind", "daily", "--in-seconds", "30"),
            ("demo_logins", "demo_logins", "--screens"),
        ):
            code = runner.phase(name, *args) or 0
            if code or runner.stopping:
                return code
        say(f"ready: the hall portal is at http://127.0.0.1:{port}/  (admin: /admin/)")
        say("Press Ctrl-C to stop the web server, the worker and beat.\n")
        code = runner.watch()
        return code
    finally:
        held.close()
        runner.stop_all()
        say("stopped.")


if __name__ == "__main__":
    sys.exit(main())

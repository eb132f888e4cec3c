"""gunicorn serving the portal as production does, on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time

from .clients import request
from .config import GUNICORN, HOST, ROOT, WORK


def free_port(preferred: int) -> int:
    candidates = [preferred] + [p for p in range(8400, 8500) if p != preferred]
    for port in candidates:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn does
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
            return port
    raise SystemExit("no free port in 8400-8499")


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    log = (WORK / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [GUNICORN, "hall.wsgi:application", "--workers", str(workers),
         "--bind", f"{HOST}:{port}", "--timeout", "120"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: see {WORK / 'gunicorn.log'}")
        try:
            status, _, _, _ = request(port, "GET", "/accounts/login/")
            if status == 200:
                # Every worker imports Django lazily: give them a few requests each.
                for _ in range(workers * 4):
                    request(port, "GET", "/accounts/login/")
                return process
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop_gunicorn(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

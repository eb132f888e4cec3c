"""The load on the portal: a staff member's browser working the console, and the tablets
polling their state, each request on a fresh connection."""

from __future__ import annotations

import http.client
import json
import random
import re
import resource
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from .config import CONSOLE_PASSWORD, CONSOLE_USER, HOST, HTTP_TIMEOUT, POLL_SECONDS, STATE_PATH


def request(
    port: int, method: str, path: str, headers: dict | None = None, body: bytes | None = None
) -> tuple[int, dict, bytes, float]:
    """One request on a fresh connection (gunicorn's sync workers close each one anyway)."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=HTTP_TIMEOUT)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        return response.status, response.headers, data, time.perf_counter() - started
    finally:
        connection.close()


class Browser:
    """The staff member's browser: cookies, CSRF token, no redirect following."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def _send(self, method: str, path: str, fields: list | None = None):
        headers = {"Accept": "text/html", "User-Agent": "hall-bench-console"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, response_headers, data, seconds = request(self.port, method, path, headers, body)
        for raw in response_headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(raw).items():
                self.cookies[name] = morsel.value
        return status, response_headers, data.decode("utf-8", "replace"), seconds

    def get(self, path: str):
        return self._send("GET", path)

    def post(self, path: str, fields: list):
        return self._send("POST", path, fields)


def _field(html: str, name: str) -> str | None:
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    return found.group(1) if found else None


def login(browser: Browser) -> None:
    status, _, html, _ = browser.get("/accounts/login/")
    token = _field(html, "csrfmiddlewaretoken")
    if status != 200 or not token:
        raise RuntimeError(f"login page: HTTP {status}")
    fields = [
        ("csrfmiddlewaretoken", token),
        ("username", CONSOLE_USER),
        ("password", CONSOLE_PASSWORD),
        ("next", "/console/"),
    ]
    status, _, _, _ = browser.post("/accounts/login/", fields)
    if status != 302 or "sessionid" not in browser.cookies:
        raise RuntimeError(f"login refused: HTTP {status}")


class ConsolePage:
    def __init__(self, html: str) -> None:
        form = html.split('id="visit-form"', 1)[-1]
        self.signed_in = 'id="console-window"' in html
        self.csrf = _field(html, "csrfmiddlewaretoken") or ""
        self.visit = _field(form, "visit") or ""
        self.item = _field(form, "service_items") or ""


def console_session(port: int, seconds: float, prefix: str) -> dict:
    """The console for `seconds`: GET every second, a start and a finish every 5 s."""
    browser = Browser(port)
    login(browser)
    gets: list[float] = []
    starts: list[float] = []
    finishes: list[float] = []
    errors: list[str] = []
    tickets = 0

    def console_get() -> ConsolePage | None:
        status, _, html, took = browser.get("/console/")
        gets.append(took)
        if status != 200:
            errors.append(f"GET /console/ {status}")
            return None
        page = ConsolePage(html)
        if not page.signed_in:
            errors.append("GET /console/: not signed in to a window")
            return None
        return page

    def console_post(path: str, page: ConsolePage, ticket: str, out: list[float]) -> None:
        fields = [
            ("csrfmiddlewaretoken", page.csrf),
            ("items_shown", "1"),
            ("visit", page.visit),
            ("ticket_no", ticket),
            ("service_items", page.item),
        ]
        status, headers, _, took = browser.post(path, fields)
        out.append(took)
        if status != 302 or urlsplit(headers.get("Location", "")).path != "/console/":
            errors.append(f"POST {path} {status}")

    started = time.time()
    deadline = time.monotonic() + seconds
    tick = 0
    next_tick = time.monotonic()
    while time.monotonic() < deadline:
        page = console_get()
        if page is not None and tick % 5 == 0:
            tickets += 1
            ticket = f"{prefix}{tickets:04d}"
            if page.visit:
                errors.append(f"a ticket was still in service before {ticket}")
            else:
                console_post("/console/start/", page, ticket, starts)
                page = console_get()
                if page is not None and not page.visit:
                    errors.append(f"{ticket} did not start")
                elif page is not None:
                    console_post("/console/finish/", page, ticket, finishes)
        tick += 1
        next_tick += 1.0
        time.sleep(max(0.0, min(next_tick, deadline) - time.monotonic()))
    return {
        "started": started,
        "ended": time.time(),
        "get": gets,
        "start": starts,
        "finish": finishes,
        "tickets": tickets,
        "errors": errors,
    }


def poll_tablets(
    port: int, tokens: list[str], seconds: float, output: Path, use_etag: bool = True
) -> None:
    """The tablets' child process: one thread per tablet, each polling like tablet.js
    (with the state's ETag in If-None-Match; without it, for the comparison)."""
    stop = threading.Event()
    samples: list[list] = []  # [wall-clock start, seconds, status]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def tablet(token: str) -> None:
        headers = {"Authorization": f"Device {token}", "Accept": "application/json"}
        stop.wait(random.uniform(0, POLL_SECONDS))  # tablets are not switched on in step
        mine = []
        while not stop.is_set() and time.monotonic() < deadline:
            at = time.time()
            try:
                status, answered, _, took = request(port, "GET", STATE_PATH, headers)
                if use_etag and answered.get("ETag"):
                    headers["If-None-Match"] = answered["ETag"]
            except OSError:  # refused or timed out: counted as status 0
                status, took = 0, HTTP_TIMEOUT
            mine.append([at, took, status])
            stop.wait(min(POLL_SECONDS, max(0.0, deadline - time.monotonic())))
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=tablet, args=(t,), daemon=True) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + HTTP_TIMEOUT + 5)
    stop.set()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    output.write_text(
        json.dumps({"samples": samples, "cpu_seconds": usage.ru_utime + usage.ru_stime})
    )

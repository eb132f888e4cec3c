"""50 rating tablets polling their state while a staff member works the console; not a test.

    .venv/bin/python bench/tablets_polling.py [--database-url URL] [--duration 60]
        [--baseline 20] [--tablets 50] [--workers 5] [--history-visits 300000]

Builds its own database (a fresh SQLite file under /tmp by default; with
`--database-url postgres://postgres@127.0.0.1:5432/hall_bench_tablets` that PostgreSQL
database, created and dropped here), the demo hall LH01 (`seed_demo --no-visits`) grown to
50 windows with 50 staff signed in and 50 paired tablets, and a history of visits
imported with `import_visits`. It then serves the portal as production does, gunicorn
with 5 sync workers and DEBUG off (whitenoise serving the collected static files), and
measures on 127.0.0.1:

1. the console alone: a staff member's browser (logged in through /accounts/login/)
   GETs /console/ every second and every 5 s starts and finishes a ticket (the POSTs of
   the console's form, CSRF token included);
2. the same while 50 tablets poll `GET /tablet/api/state` with their device token, each
   400 ms after its previous answer, as static/evaluations/tablet.js does.

The tablets run in a child process of their own, so that their threads do not hold up the
console's client. Afterwards the state endpoint is profiled in process (its SQL queries
per request, with django.test.utils.CaptureQueriesContext). Results are printed and
merged into bench/results-tablets.json under the database's name.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import platform
import random
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
WORK = Path(os.environ.get("BENCH_TABLETS_DIR", "/tmp/hall-bench-tablets"))
RESULTS = ROOT / "bench" / "results-tablets.json"
POSTGRES_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
HOST = "127.0.0.1"
STATE_PATH = "/tablet/api/state"
POLL_SECONDS = 0.4  # evaluations/tablet/views.py POLL_MS
CONSOLE_USER, CONSOLE_PASSWORD = "lh001", "Demo@2026"  # seed_demo's login of badge LH001
HALL = "LH01"
WARMUP_SECONDS = 3.0
HTTP_TIMEOUT = 15.0


# --------------------------------------------------------------------------- HTTP


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


# --------------------------------------------------------------------------- figures


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)


def latency(values: list[float], shares=(0.5, 0.95)) -> dict:
    figures = {"count": len(values)}
    for share in shares:
        figures[f"p{round(share * 100)}_ms"] = ms(percentile(values, share))
    figures["max_ms"] = ms(max(values)) if values else None
    return figures


def console_figures(run: dict) -> dict:
    posts = run["start"] + run["finish"]
    return {
        "seconds": round(run["ended"] - run["started"], 1),
        "tickets": run["tickets"],
        "get": latency(run["get"]),
        "post": latency(posts),
        "post_start": latency(run["start"]),
        "post_finish": latency(run["finish"]),
        "get_under_200ms_share": round(sum(t < 0.2 for t in run["get"]) / len(run["get"]), 3)
        if run["get"]
        else None,
        "errors": run["errors"][:20],
        "error_count": len(run["errors"]),
    }


def state_figures(samples: list, since: float, until: float) -> dict:
    inside = [s for s in samples if since <= s[0] <= until]
    statuses: dict[str, int] = {}
    for sample in inside:
        statuses[str(sample[2])] = statuses.get(str(sample[2]), 0) + 1
    served = [s[1] for s in inside if s[2] in (200, 304)]  # 304: unchanged, per its ETag
    full = [s[1] for s in inside if s[2] == 200]
    return {
        "requests": len(inside),
        "served_per_second": round(len(served) / (until - since), 1),
        "statuses": statuses,
        **latency(served, (0.5, 0.95, 0.99)),
        "full_state": latency(full, (0.5, 0.95)),
    }


class CpuMeter:
    """The machine's busy share (/proc/stat) and gunicorn's CPU seconds over a phase."""

    def __init__(self, master_pid: int | None) -> None:
        self.master_pid = master_pid
        self.ticks = os.sysconf("SC_CLK_TCK")
        self.machine = self._machine()
        self.server = self._server()
        self.load = os.getloadavg()[0]
        self.started = time.monotonic()

    @staticmethod
    def _machine() -> tuple[int, int]:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        idle = fields[3] + fields[4]
        return sum(fields) - idle, sum(fields)

    def _server(self) -> float:
        if self.master_pid is None:
            return 0.0
        total = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            pid, parent = int(entry.name), int(fields[1])
            if pid == self.master_pid or parent == self.master_pid:
                total += int(fields[11]) + int(fields[12])
        return total / self.ticks

    def stop(self) -> dict:
        busy, total = self._machine()
        seconds = time.monotonic() - self.started
        return {
            "machine_busy_pct": round(
                100 * (busy - self.machine[0]) / max(1, total - self.machine[1]), 1
            ),
            "gunicorn_cpu_pct_of_one_core": round(
                100 * (self._server() - self.server) / seconds, 1
            ),
            "loadavg_1min_before": round(self.load, 2),
            "loadavg_1min_after": round(os.getloadavg()[0], 2),
        }


# --------------------------------------------------------------------------- database


def backend_of(url: str) -> str:
    return "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"


def with_conn_max_age(url: str, seconds: int) -> str:
    return f"{url}{'&' if '?' in url else '?'}conn_max_age={seconds}" if seconds else url


def create_database(url: str) -> None:
    if backend_of(url) == "sqlite":
        path = Path(url.removeprefix("sqlite:///")).resolve()
        if not str(path).startswith("/tmp/"):
            raise SystemExit(f"the SQLite file must be under /tmp, not {path}")
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    if not re.fullmatch(r"hall_bench_\w+", name):
        raise SystemExit(f"refusing to drop and create {name!r}: use a hall_bench_* name")
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    if backend_of(url) == "sqlite":
        return
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench_env(database_url: str, conn_max_age: int) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hall.settings.local",  # what `make run` uses
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-tablets-" + "x" * 40,
        "DATABASE_URL": with_conn_max_age(database_url, conn_max_age),
        # Nothing of this run lands in the working tree's var/.
        "MEDIA_ROOT": str(WORK / "media"),
        "EMAIL_FILE_PATH": str(WORK / "outbox"),
        "CELERY_FILESYSTEM_BROKER_DIR": str(WORK / "celery-broker"),
        "CELERY_RESULT_BACKEND": f"file://{WORK / 'celery-results'}",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    for folder in ("media", "outbox", "celery-broker/queue", "celery-broker/control"):
        (WORK / folder).mkdir(parents=True, exist_ok=True)
    (WORK / "celery-results").mkdir(parents=True, exist_ok=True)
    return env


def manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def is_workday(day: date) -> bool:
    import chinese_calendar

    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # beyond the package's calendar data
        return day.weekday() < 5


def write_history(path: Path, *, windows: int, total: int, last_day: date, days: int) -> int:
    """`total` visits over the working days of `days` days up to `last_day` (import format)."""
    rng = random.Random(2026)
    workdays = [
        last_day - timedelta(days=n)
        for n in range(days - 1, -1, -1)
        if is_workday(last_day - timedelta(days=n))
    ]
    per_day = total // len(workdays) + 1
    fmt = "%Y-%m-%d %H:%M:%S"
    written = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(
            ["hall_code", "ticket_no", "issued_at", "called_at", "started_at", "finished_at",
             "window_no", "staff_badge", "service_codes", "status", "rating", "rated_at"]
        )  # fmt: skip
        for day in workdays:
            for n in range(min(per_day, total - written)):
                start = datetime.combine(day, datetime.min.time()) + timedelta(
                    hours=9, seconds=n * 28000 // per_day
                )
                window = rng.randint(1, windows)
                status = rng.choices(["completed", "no_show", "transferred"], (93, 4, 3))[0]
                finished = start + timedelta(seconds=rng.randint(120, 1500))
                level = rng.choices(["5", "4", "3", "2", "1", ""], (80, 7, 2, 1, 0.5, 9.5))[0]
                rated = status == "completed" and level
                codes = ";".join(
                    f"LHS{c:02d}" for c in rng.sample(range(1, 31), rng.choice((1, 1, 2, 3)))
                )
                writer.writerow(
                    [
                        HALL,
                        f"{'ABCD'[window % 4]}{n:04d}",
                        (start - timedelta(seconds=rng.randint(60, 2400))).strftime(fmt),
                        "",
                        start.strftime(fmt),
                        finished.strftime(fmt) if status == "completed" else "",
                        window,
                        f"LH{window:03d}",
                        codes,
                        status,
                        level if rated else "",
                        (finished + timedelta(seconds=15)).strftime(fmt) if rated else "",
                    ]
                )
                written += 1
    return written


def django_setup(env: dict) -> None:
    for key in ("DJANGO_SETTINGS_MODULE", "DJANGO_DEBUG", "DJANGO_SECRET_KEY", "DATABASE_URL",
                "MEDIA_ROOT", "EMAIL_FILE_PATH", "CELERY_FILESYSTEM_BROKER_DIR",
                "CELERY_RESULT_BACKEND", "LOG_LEVEL"):  # fmt: skip
        os.environ[key] = env[key]
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


def grow_hall(windows: int) -> None:
    """LH01 grown to `windows` windows, each with a staff member of its own."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from windows import roles
    from windows.models import Hall, Staff, Window, WindowServiceItem

    hall = Hall.objects.get(code=HALL)
    first = Window.objects.get(hall=hall, number=1)
    items = list(first.service_items.all())
    have = set(Window.objects.filter(hall=hall).values_list("number", flat=True))
    for number in range(1, windows + 1):
        if number in have:
            continue
        window = Window.objects.create(
            hall=hall,
            number=number,
            name=f"通办窗口{number}",
            zone=first.zone,
            department=first.department,
        )
        WindowServiceItem.objects.bulk_create(
            WindowServiceItem(window=window, service_item=item) for item in items
        )
    users = get_user_model()
    group = Group.objects.get(name=roles.WINDOW_STAFF)
    password = make_password(CONSOLE_PASSWORD)
    badges = set(Staff.objects.filter(hall=hall).values_list("badge_no", flat=True))
    for number in range(1, windows + 1):
        badge = f"LH{number:03d}"
        if badge in badges:
            continue
        user = users.objects.create(username=badge.lower(), password=password)
        user.groups.add(group)
        Staff.objects.create(
            user=user,
            hall=hall,
            badge_no=badge,
            display_name=f"工作人员{number}",
            department=first.department,
            job_title="窗口经办员",
        )


def open_the_hall(windows: int) -> tuple[list[str], dict]:
    """Everyone signed in to their window, a tablet paired at each; a third of the windows
    serving a ticket, the others with a visit just finished (a rating prompt, for the
    hall's rating timeout). Returns the tablets' tokens, window 1's first."""
    from django.utils import timezone

    from evaluations.services.devices import tablet_issue_pairing_code, tablet_pair
    from windows.models import Hall, Staff, Window
    from windows.services import visit_finish, visit_start, window_sign_in

    hall = Hall.objects.get(code=HALL)
    tokens = []
    kinds = {"console": 0, "serving": 0, "finished": 0}
    for number in range(1, windows + 1):
        window = Window.objects.select_related("hall").get(hall=hall, number=number)
        staff = Staff.objects.get(hall=hall, badge_no=f"LH{number:03d}")
        session = window_sign_in(staff=staff, window=window, now=timezone.now())
        _, code = tablet_issue_pairing_code(window=window, label=f"bench tablet {number}")
        _, token = tablet_pair(code=code)
        tokens.append(token)
        if number == 1:
            kinds["console"] += 1
            continue
        item = window.service_items.first()
        visit = visit_start(session=session, ticket_no=f"W{number:03d}", service_items=[item])
        if number % 3 == 0:
            kinds["serving"] += 1
        else:
            visit_finish(session=session, visit=visit)
            kinds["finished"] += 1
    return tokens, kinds


def table_sizes() -> dict:
    from evaluations.models import Rating, TabletDevice
    from windows.models import Staff, Visit, VisitItem, Window, WindowSession

    return {
        model.__name__: model.objects.count()
        for model in (Visit, VisitItem, Rating, Window, Staff, WindowSession, TabletDevice)
    }


def database_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("show server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


# --------------------------------------------------------------------------- profile


def profile_state(tokens: list[str], runs: int = 200) -> dict:
    """Queries and in-process time of one state request, in each of the tablet's states."""
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.db.models import F
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from evaluations.models import TabletDevice
    from evaluations.services.devices import hash_secret
    from windows.models import Visit, WindowSession
    from windows.services import visit_finish, visit_start

    client = Client(HTTP_HOST=HOST)
    by_window = {}
    for token in tokens:
        device = TabletDevice.objects.select_related("window").get(token_hash=hash_secret(token))
        by_window[device.window.number] = (device, token)
    # Fresh states: window 2 serves a ticket, window 4 has just finished one (a prompt).
    states = {}
    for number, finish in ((2, False), (4, True)):
        device, token = by_window[number]
        session = WindowSession.objects.open().get(window=device.window)
        Visit.objects.filter(window=device.window, status=Visit.Status.IN_SERVICE).update(
            status=Visit.Status.COMPLETED, finished_at=timezone.now()
        )
        visit = visit_start(
            session=session,
            ticket_no=f"PR{number:03d}{int(time.time()) % 100000}",
            service_items=[device.window.service_items.first()],
        )
        if finish:
            visit_finish(session=session, visit=visit)
        states["serving" if not finish else "rating prompt"] = token
    idle_device, idle_token = by_window[5]
    Visit.objects.filter(window=idle_device.window, service_date=timezone.localdate()).update(
        started_at=F("started_at") - timedelta(minutes=15),
        finished_at=F("finished_at") - timedelta(minutes=15),
    )
    states["idle (prompt timed out)"] = idle_token
    results = {}
    for label, token in states.items():
        auth = {"HTTP_AUTHORIZATION": f"Device {token}"}
        TabletDevice.objects.filter(token_hash=hash_secret(token)).update(last_seen_at=None)
        reset_queries()
        with CaptureQueriesContext(connection) as first:
            client.get(STATE_PATH, **auth)
        with_update = len(first.captured_queries)  # read now: the next request clears the log
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(STATE_PATH, **auth)
        sql = [q["sql"][:300] for q in queries.captured_queries]
        took = []
        for _ in range(runs):
            started = time.perf_counter()
            client.get(STATE_PATH, **auth)
            took.append(time.perf_counter() - started)
        body = response.json()
        results[label] = {
            "status": response.status_code,
            "queries": len(sql),
            "queries_with_last_seen_update": with_update,
            "in_process_median_ms": ms(statistics.median(took)),
            "in_process_p95_ms": ms(percentile(took, 0.95)),
            "pending": body.get("pending") is not None,
            "serving": body.get("serving") is not None,
            "sql": sql,
        }
    # The console's own requests, for comparison.
    user = get_user_model().objects.get(username=CONSOLE_USER)
    client.force_login(user)
    client.get("/console/")
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/console/")
    console_queries = len(queries.captured_queries)
    took = []
    for _ in range(30):
        started = time.perf_counter()
        client.get("/console/")
        took.append(time.perf_counter() - started)
    results["console GET (for comparison)"] = {
        "status": response.status_code,
        "queries": console_queries,
        "in_process_median_ms": ms(statistics.median(took)),
    }
    return results


# --------------------------------------------------------------------------- gunicorn


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


# --------------------------------------------------------------------------- main


def run_phases(port: int, tokens: list[str], options, master_pid: int) -> dict:
    phases = {}
    print(f"[bench] console alone, {options.baseline:.0f} s", flush=True)
    meter = CpuMeter(master_pid)
    alone = console_session(port, options.baseline, "A")
    phases["console_alone"] = {"console": console_figures(alone), "cpu": meter.stop()}

    for phase, use_etag in (("with_tablets", True), ("with_tablets_no_etag", False)):
        phases[phase] = _tablets_phase(port, tokens, options, master_pid, use_etag=use_etag)
    return phases


def _tablets_phase(port: int, tokens: list[str], options, master_pid: int, *, use_etag: bool):
    mode = "with their ETag (as tablet.js)" if use_etag else "without ETag (full state)"
    print(
        f"[bench] {len(tokens)} tablets polling {mode}, console for {options.duration:.0f} s",
        flush=True,
    )
    output = WORK / "pollers.json"
    output.unlink(missing_ok=True)
    (WORK / "tokens.json").write_text(json.dumps(tokens))
    total = WARMUP_SECONDS + options.duration + 1
    pollers = subprocess.Popen(
        [PYTHON, __file__, "--_pollers", str(port), str(WORK / "tokens.json"), str(total),
         str(output), "etag" if use_etag else "full"],
        cwd=ROOT,
    )  # fmt: skip
    try:
        time.sleep(WARMUP_SECONDS)
        meter = CpuMeter(master_pid)
        loaded = console_session(port, options.duration, "B" if use_etag else "C")
        cpu = meter.stop()
        pollers.wait(timeout=total + HTTP_TIMEOUT + 30)
    finally:
        if pollers.poll() is None:
            pollers.kill()
            pollers.wait(timeout=10)
    polled = json.loads(output.read_text())
    return {
        "tablets": len(tokens),
        "etag": use_etag,
        "state": state_figures(polled["samples"], loaded["started"], loaded["ended"]),
        "console": console_figures(loaded),
        "cpu": {**cpu, "tablet_client_cpu_seconds": round(polled["cpu_seconds"], 1)},
    }


def print_table(result: dict) -> None:
    alone = result["phases"]["console_alone"]
    loaded = result["phases"]["with_tablets"]
    full = result["phases"]["with_tablets_no_etag"]
    state = loaded["state"]
    print()
    visits = result["tables"]["Visit"]
    print(f"== {result['database']}  ({result['cpu_count']} CPUs, gunicorn "
          f"{result['gunicorn_workers']} sync workers, {visits:,} visits)")  # fmt: skip
    print(f"{'':34} {'p50 ms':>8} {'p95 ms':>8} {'p99/max':>9} {'n':>6}")
    for label, phase in (("ETag", loaded), ("no ETag", full)):
        state = phase["state"]
        print(
            f"{'state, 50 tablets, ' + label:34} {state['p50_ms']:>8} {state['p95_ms']:>8} "
            f"{state['p99_ms']:>9} {state['count']:>6}   {state['served_per_second']} req/s"
        )
    for label, phase in (("alone", alone), ("tablets, ETag", loaded), ("tablets, no ETag", full)):
        console = phase["console"]
        for kind in ("get", "post"):
            row = console[kind]
            print(
                f"{'console ' + kind.upper() + ', ' + label:34} {row['p50_ms']:>8} "
                f"{row['p95_ms']:>8} {row['max_ms']:>9} {row['count']:>6}"
            )
        print(f"{'  errors, CPU':34} {console['error_count']} errors, machine "
              f"{phase['cpu']['machine_busy_pct']}% busy, gunicorn "
              f"{phase['cpu']['gunicorn_cpu_pct_of_one_core']}% of a core")  # fmt: skip
    for label, profile in result["profile"].items():
        print(f"profile {label}: {profile['queries']} queries, "
              f"{profile['in_process_median_ms']} ms in process (median)")  # fmt: skip


def main() -> None:
    if len(sys.argv) == 7 and sys.argv[1] == "--_pollers":
        port, tokens, seconds, output, mode = sys.argv[2:]
        tokens = json.loads(Path(tokens).read_text())
        poll_tablets(int(port), tokens, float(seconds), Path(output), use_etag=mode == "etag")
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=f"sqlite:///{WORK / 'tablets.sqlite3'}")
    parser.add_argument("--port", type=int, default=8437)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--tablets", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--baseline", type=float, default=20.0)
    parser.add_argument("--history-visits", type=int, default=300_000)
    parser.add_argument("--history-days", type=int, default=365)
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=60,
        help="persistent database connections, as hall.settings.production (0: none)",
    )
    parser.add_argument("--keep-database", action="store_true")
    options = parser.parse_args()
    if not 1 <= options.duration <= 600 or not 1 <= options.baseline <= 600:
        raise SystemExit("--duration and --baseline: 1 to 600 s")
    if not 2 <= options.tablets <= 200:
        raise SystemExit("--tablets: 2 to 200")

    WORK.mkdir(parents=True, exist_ok=True)
    backend = backend_of(options.database_url)
    env = bench_env(options.database_url, options.conn_max_age)
    gunicorn = None
    created = False
    try:
        print(f"[bench] {backend}: migrate, seed_demo --no-visits", flush=True)
        create_database(options.database_url)
        created = True
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "seed_demo", "--no-visits")
        manage(env, "collectstatic", "--noinput", "-v0")
        django_setup(env)
        from django.db import connections

        from windows.models import Hall
        from windows.rules.hall_time import hall_localdate

        grow_hall(options.tablets)
        yesterday = hall_localdate(Hall.objects.get(code=HALL)) - timedelta(days=1)
        history = WORK / f"history-{options.tablets}-{options.history_visits}.csv"
        written = write_history(
            history,
            windows=options.tablets,
            total=options.history_visits,
            last_day=yesterday,
            days=options.history_days,
        )
        print(f"[bench] import_visits: {written:,} visits up to {yesterday}", flush=True)
        started = time.perf_counter()
        print("  " + manage(env, "import_visits", str(history)).strip().splitlines()[-1])
        print(f"[bench] imported in {time.perf_counter() - started:.1f} s", flush=True)
        tokens, kinds = open_the_hall(options.tablets)
        sizes = table_sizes()
        version = database_version()
        connections.close_all()

        port = free_port(options.port)
        print(f"[bench] gunicorn, {options.workers} workers, on {HOST}:{port}", flush=True)
        gunicorn = start_gunicorn(env, port, options.workers)
        phases = run_phases(port, tokens, options, gunicorn.pid)
        stop_gunicorn(gunicorn)
        gunicorn = None

        print("[bench] profiling the state endpoint in process", flush=True)
        profile = profile_state(tokens)
        connections.close_all()
        result = {
            "database": version,
            "database_url": options.database_url,
            "when": datetime.now().isoformat(timespec="seconds"),
            "cpu_count": os.cpu_count(),
            "machine": platform.processor() or platform.machine(),
            "python": platform.python_version(),
            "gunicorn_workers": options.workers,
            "conn_max_age": options.conn_max_age,
            "debug": False,
            "settings": "hall.settings.local",
            "poll_seconds": POLL_SECONDS,
            "duration_s": options.duration,
            "baseline_s": options.baseline,
            "tables": sizes,
            "windows_at_start": kinds,
            "phases": phases,
            "profile": profile,
        }
        everything = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        key = backend if options.conn_max_age else f"{backend}-conn_max_age-0"
        everything[key] = result
        RESULTS.write_text(json.dumps(everything, indent=2, ensure_ascii=False) + "\n")
        print_table(result)
        print(f"\n[bench] written to {RESULTS.relative_to(ROOT)} ({key})")
    finally:
        stop_gunicorn(gunicorn)
        if created and not options.keep_database:
            try:
                from django.db import connections

                connections.close_all()
            except Exception:  # Django may not be set up yet
                pass
            drop_database(options.database_url)


if __name__ == "__main__":
    main()

"""One rating submission, console start and finish, and the ping, profiled in process
after the run: SQL queries per request (CaptureQueriesContext), time in process, and
where a rating's time goes (cProfile, by module)."""

from __future__ import annotations

import cProfile
import pstats
import statistics
import time
import uuid

from bench.tablets.figures import ms

from .hall import PING_PATH, RATING_PATH, WindowClients


def _fresh_pending_visit(window: WindowClients, label: str) -> int:
    from windows.models import WindowSession
    from windows.services import visit_finish, visit_start

    session = (
        WindowSession.objects.open()
        .select_related("window")
        .get(window__number=window.number, window__hall__code="LH01")
    )
    visit = visit_start(session=session, ticket_no=label,
                        service_items=[session.window.service_items.first()])  # fmt: skip
    visit_finish(session=session, visit=visit)
    return visit.pk


def _queries(call) -> tuple[int, list[str], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        status = call()
    return len(captured.captured_queries), [q["sql"][:240] for q in captured], status


def profile_requests(windows: list[WindowClients], runs: int = 150) -> dict:
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    window = windows[0]
    auth = {"HTTP_AUTHORIZATION": f"Device {window.token}"}

    def rating_of(label: str, level: int = 5):
        """A rating request of a visit just finished (prepared outside any measurement)."""
        body = {"visit_id": _fresh_pending_visit(window, label), "level": level,
                "client_id": str(uuid.uuid4())}  # fmt: skip
        if level <= 2:
            body["reasons"] = ["attitude"]
        return lambda: (
            client.post(RATING_PATH, body, content_type="application/json", **auth).status_code
        )

    rating_of("P9990")()  # the throttle's first slot, imports, caches
    good = _queries(rating_of("P9991"))
    bad = _queries(rating_of("P9992", level=1))
    ping = _queries(lambda: client.get(PING_PATH, **auth).status_code)
    console = _console_queries(windows[1])
    # In-process time of a rating alone (its visit prepared outside the clock), then the
    # same again under cProfile. The throttle allows 30 a minute per tablet: spread over
    # the windows.
    took, profiler = [], cProfile.Profile()
    for n in range(2 * runs):
        target = windows[n % len(windows)]
        visit = _fresh_pending_visit(target, f"P{n:04d}")
        body = {"visit_id": visit, "level": 5, "client_id": str(uuid.uuid4())}
        profiling = n >= runs
        started = time.perf_counter()
        if profiling:
            profiler.enable()
        response = client.post(RATING_PATH, body, content_type="application/json",
                               HTTP_AUTHORIZATION=f"Device {target.token}")  # fmt: skip
        if profiling:
            profiler.disable()
        else:
            took.append(time.perf_counter() - started)
        assert response.status_code == 201, response.content
    ping_took = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(PING_PATH, **auth)
        ping_took.append(time.perf_counter() - started)
    return {
        "rating_good": {"queries": good[0], "status": good[2], "sql": good[1]},
        "rating_bad_with_case": {"queries": bad[0], "status": bad[2], "sql": bad[1]},
        "ping": {"queries": ping[0], "status": ping[2], "sql": ping[1]},
        **console,
        "rating_in_process_median_ms": ms(statistics.median(took)),
        "ping_in_process_median_ms": ms(statistics.median(ping_took)),
        "rating_ms_by_area": _by_area(profiler, runs),
    }


def _console_queries(window: WindowClients) -> dict:
    """The console's start and finish POSTs of one ticket, as its form sends them."""
    from django.test import Client

    from windows.models import Staff

    client = Client(HTTP_HOST="127.0.0.1")
    staff = Staff.objects.get(hall__code="LH01", badge_no=f"LH{window.number:03d}")
    client.force_login(staff.user)
    fields = {"items_shown": "1", "service_items": str(window.item_id)}
    results = {}
    for step, extra in (("start", {"ticket_no": "P9995"}), ("finish", {})):
        count, sql, status = _queries(
            lambda step=step, extra=extra: (
                client.post(f"/console/{step}/", {**fields, **extra}).status_code
            )
        )
        results[f"console_{step}"] = {"queries": count, "status": status, "sql": sql}
    return results


AREAS = (
    ("database driver (psycopg / sqlite3)", ("psycopg", "sqlite3")),
    ("Django ORM", ("django/db/",)),
    ("DRF", ("rest_framework/",)),
    ("Django request/middleware/templates", ("django/",)),
    ("the portal's code", ("/work/main/",)),
)


def _by_area(profiler: cProfile.Profile, runs: int) -> dict:
    """Self time of the profiled ratings by where the code lives (the first area that
    matches a function's file), in ms per rating (the profiler's own cost included)."""
    stats = pstats.Stats(profiler)
    totals: dict[str, float] = {}
    for (filename, _line, name), (_cc, _nc, self_time, _cum, _callers) in stats.stats.items():
        area = next((label for label, parts in AREAS if any(p in filename for p in parts)),
                    "other (stdlib, C calls)")  # fmt: skip
        if filename == "~" and ("psycopg" in name or "sqlite3" in name):
            area = AREAS[0][0]
        totals[area] = totals.get(area, 0.0) + self_time
    return {area: round(1000 * seconds / runs, 2) for area, seconds in sorted(totals.items())}

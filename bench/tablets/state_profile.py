"""The state endpoint profiled in process after the run (Django's test client, its SQL
queries with CaptureQueriesContext)."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

from .config import CONSOLE_USER, HOST, STATE_PATH
from .figures import ms, percentile


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

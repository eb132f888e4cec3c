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
import json
import os
import platform
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.tablets.clients import console_session, poll_tablets
from bench.tablets.config import (
    HALL,
    HOST,
    HTTP_TIMEOUT,
    POLL_SECONDS,
    PYTHON,
    RESULTS,
    ROOT,
    WARMUP_SECONDS,
    WORK,
)
from bench.tablets.database import (
    backend_of,
    bench_env,
    create_database,
    database_version,
    django_setup,
    drop_database,
    manage,
)
from bench.tablets.figures import CpuMeter, console_figures, print_table, state_figures
from bench.tablets.hall_setup import grow_hall, open_the_hall, table_sizes, write_history
from bench.tablets.server import free_port, start_gunicorn, stop_gunicorn
from bench.tablets.state_profile import profile_state


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

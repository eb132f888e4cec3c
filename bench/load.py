"""Load on the portal's busiest writes, beside the same server's floor; not a test.

    .venv/bin/python bench/load.py [--windows 300] [--rounds 3] [--concurrency 4,16]
        [--workers 4] [--history-visits 300000] [--cache-url redis://127.0.0.1:6379/5]

Builds its own PostgreSQL database (`hall_bench_load`, created and dropped here), the
demo hall LH01 grown to `--windows` windows, each with a staff member signed in, a
logged-in console browser and a paired rating tablet, over a year of history imported
with `import_visits`. It serves the portal as production does: gunicorn with `--workers`
sync workers, DEBUG off, persistent database connections (CONN_MAX_AGE 60), the shared
cache in Redis (`CACHE_URL`, as the README's production section advises; `--cache-url ""`
measures the database cache instead).

Then, for each round and each concurrency (a bounded async load generator on loopback,
bench/loadgen/http.py: N clients in a closed loop, one connection per request), it sends
one request per window, in this order:

1. console start: the console form's POST /console/start/ (ticket and item), 302;
2. console finish: POST /console/finish/, 302 (the visit is now waiting for its rating);
3. ratings: each tablet's POST /api/v1/tablet/ratings of its window's visit (88% level
   5, 2% bad with a reason, which opens a follow-up case), 201;
4. ping: GET /bench/ping, the same server's trivial authenticated endpoint (device
   token, DRF, JSON; bench/loadgen/urls.py): the floor of an API request here.

Anything answered otherwise is counted as an error, not as a latency. Afterwards the
requests are profiled in process (queries per request, where a rating's time goes).
Results: bench/results-load.json, and a table printed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import sys
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.loadgen import http
from bench.loadgen.hall import (
    clients_for,
    close_open_visits,
    console_requests,
    pending_visits,
    ping_requests,
    rating_requests,
)
from bench.loadgen.profile import profile_requests
from bench.tablets.config import HALL, ROOT, WORK
from bench.tablets.database import (
    bench_env,
    create_database,
    database_version,
    django_setup,
    drop_database,
    manage,
)
from bench.tablets.figures import CpuMeter, latency
from bench.tablets.hall_setup import grow_hall, open_the_hall, table_sizes, write_history
from bench.tablets.server import free_port, start_gunicorn, stop_gunicorn

RESULTS = ROOT / "bench" / "results-load.json"
PHASES = ("console start", "console finish", "ratings", "ping")


def _client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_rounds(port: int, windows, options, master_pid: int) -> dict:
    rng = random.Random(2026)
    runs: dict[str, list] = {}
    step = 0
    for round_no in range(options.rounds):
        for concurrency in options.concurrency:
            step += 1
            plan = {
                "console start": lambda s=step: console_requests(windows, "start", s),
                "console finish": lambda s=step: console_requests(windows, "finish", s),
                "ratings": lambda: rating_requests(windows, pending_visits(windows), rng),
                "ping": lambda: ping_requests(windows),
            }
            for phase in PHASES:
                requests = plan[phase]()  # built outside the clock (pending: from the DB)
                meter, client_cpu = CpuMeter(master_pid), _client_cpu()
                outcome = http.run(port, requests, concurrency)
                cpu = meter.stop()
                cpu["load_generator_cpu_pct_of_one_core"] = round(
                    100 * (_client_cpu() - client_cpu) / outcome.seconds, 1
                )
                runs.setdefault(f"{phase} @{concurrency}", []).append((outcome, cpu))
                print(f"  round {round_no + 1}, {phase:15} x{concurrency:<3} "
                      f"{len(outcome.latencies) / outcome.seconds:7.1f}/s  "
                      f"errors {sum(outcome.unexpected.values())}", flush=True)  # fmt: skip
    return {key: _figures(pairs) for key, pairs in runs.items()}


def _figures(pairs) -> dict:
    latencies = [t for outcome, _ in pairs for t in outcome.latencies]
    seconds = sum(outcome.seconds for outcome, _ in pairs)
    errors: dict[str, int] = {}
    for outcome, _ in pairs:
        for problem, count in outcome.unexpected.items():
            errors[problem] = errors.get(problem, 0) + count
    cpus = [cpu for _, cpu in pairs]
    return {
        "per_second": round(len(latencies) / seconds, 1),
        "per_second_by_round": [round(len(o.latencies) / o.seconds, 1) for o, _ in pairs],
        **latency(latencies, (0.5, 0.95, 0.99)),
        "errors": errors,
        "machine_busy_pct": round(sum(c["machine_busy_pct"] for c in cpus) / len(cpus), 1),
        "gunicorn_cpu_pct_of_one_core": round(
            sum(c["gunicorn_cpu_pct_of_one_core"] for c in cpus) / len(cpus), 1
        ),
        "load_generator_cpu_pct_of_one_core": round(
            sum(c["load_generator_cpu_pct_of_one_core"] for c in cpus) / len(cpus), 1
        ),
    }


def print_table(result: dict) -> None:
    print(f"\n== {result['database']}, gunicorn {result['gunicorn_workers']} sync workers, "
          f"{result['windows']} windows, cache {result['cache']}, "
          f"{result['tables']['Visit']:,} visits")  # fmt: skip
    print(f"{'':24} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'n':>6} "
          f"{'errors':>6} {'server CPU':>10}")  # fmt: skip
    for key, row in result["phases"].items():
        print(f"{key:24} {row['per_second']:>8} {row['p50_ms']:>8} {row['p95_ms']:>8} "
              f"{row['p99_ms']:>8} {row['count']:>6} {sum(row['errors'].values()):>6} "
              f"{row['gunicorn_cpu_pct_of_one_core']:>9}%")  # fmt: skip
    profile = result["profile"]
    print(f"rating: {profile['rating_good']['queries']} queries "
          f"({profile['rating_bad_with_case']['queries']} with a follow-up case), "
          f"{profile['rating_in_process_median_ms']} ms in process; "
          f"ping: {profile['ping']['queries']} queries, "
          f"{profile['ping_in_process_median_ms']} ms")  # fmt: skip
    print("rating, ms by area:", profile["rating_ms_by_area"])


def prepare(options, env) -> tuple[list, dict]:
    """The database, the grown hall with its history, everyone signed in and paired."""
    print("[load] migrate, seed_demo --no-visits", flush=True)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_demo", "--no-visits")
    manage(env, "collectstatic", "--noinput", "-v0")
    if "CACHE_URL" in env:
        os.environ["CACHE_URL"] = env["CACHE_URL"]
    django_setup(env)
    from django.core.cache import cache

    from windows.models import Hall
    from windows.rules.hall_time import hall_localdate

    cache.clear()  # the bench's own Redis database: no throttle slots of an earlier run
    grow_hall(options.windows)
    yesterday = hall_localdate(Hall.objects.get(code=HALL)) - timedelta(days=1)
    history = WORK / f"history-{options.windows}-{options.history_visits}.csv"
    written = write_history(history, windows=options.windows, total=options.history_visits,
                            last_day=yesterday, days=365)  # fmt: skip
    print(f"[load] import_visits: {written:,} visits up to {yesterday}", flush=True)
    manage(env, "import_visits", str(history))
    tokens, _ = open_the_hall(options.windows)
    close_open_visits()
    return clients_for(tokens), table_sizes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url",
                        default="postgres://postgres@127.0.0.1:5432/hall_bench_load")  # fmt: skip
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--port", type=int, default=8438)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--windows", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", default="4,16")
    parser.add_argument("--history-visits", type=int, default=300_000)
    parser.add_argument("--keep-database", action="store_true")
    options = parser.parse_args()
    options.concurrency = [int(c) for c in options.concurrency.split(",")]
    if not 10 <= options.windows <= 2000 or not 1 <= options.rounds <= 10:
        raise SystemExit("--windows: 10 to 2000; --rounds: 1 to 10")
    if options.rounds * len(options.concurrency) > 25:
        raise SystemExit("at most 25 ratings per tablet (its throttle allows 30 a minute)")

    WORK.mkdir(parents=True, exist_ok=True)
    env = bench_env(options.database_url, 60)
    if options.cache_url:
        env["CACHE_URL"] = options.cache_url
    gunicorn = None
    try:
        create_database(options.database_url)
        windows, sizes = prepare(options, env)
        version = database_version()
        from django.db import connections

        connections.close_all()
        port = free_port(options.port)
        print(f"[load] gunicorn, {options.workers} workers, on 127.0.0.1:{port}", flush=True)
        gunicorn = start_gunicorn({**env, "DJANGO_SETTINGS_MODULE": "bench.loadgen.settings"},
                                  port, options.workers)  # fmt: skip
        phases = run_rounds(port, windows, options, gunicorn.pid)
        stop_gunicorn(gunicorn)
        gunicorn = None
        print("[load] profiling in process", flush=True)
        os.environ["DJANGO_SETTINGS_MODULE"] = "bench.loadgen.settings"
        from django.conf import settings
        from django.urls import clear_url_caches

        settings.ROOT_URLCONF = "bench.loadgen.urls"
        clear_url_caches()
        profile = profile_requests(windows)
        connections.close_all()
        result = {
            "database": version,
            "when": datetime.now().isoformat(timespec="seconds"),
            "cpu_count": os.cpu_count(),
            "machine": platform.processor() or platform.machine(),
            "python": platform.python_version(),
            "gunicorn_workers": options.workers,
            "windows": options.windows,
            "rounds": options.rounds,
            "cache": "redis" if options.cache_url else "database",
            "tables": sizes,
            "phases": phases,
            "profile": profile,
        }
        everything = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        everything[f"{result['cache']}-cache-{options.workers}-workers"] = result
        RESULTS.write_text(json.dumps(everything, indent=2, ensure_ascii=False) + "\n")
        print_table(result)
    finally:
        stop_gunicorn(gunicorn)
        if not options.keep_database:
            try:
                from django.db import connections

                connections.close_all()
            except Exception:  # Django may not be set up yet
                pass
            drop_database(options.database_url)


if __name__ == "__main__":
    main()

"""Run the benchmarks of bench/README.md on SQLite and on PostgreSQL; not part of the tests.

    .venv/bin/python bench/run.py [--rows 300000] [--backends sqlite,postgres] [--skip-reference]

Each step runs as its own process under /usr/bin/time, which gives the wall time and the
peak resident memory. Results are printed as a table and written to bench/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
WORK = Path(os.environ.get("BENCH_DIR", "/tmp/hall-bench"))
YEAR = 2024
POSTGRES_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
POSTGRES_BENCH = "postgres://postgres@127.0.0.1:5432/hall_bench"


def run(label: str, args: list[str], env: dict, results: list, rows: int | None = None) -> None:
    command = ["/usr/bin/time", "-v", *args]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    result = {
        "step": label,
        "seconds": round(seconds, 2),
        "peak_mb": round(int(peak.group(1)) / 1024) if peak else None,
        "rows_per_second": round(rows / seconds) if rows else None,
        "ok": done.returncode == 0,
        "output": (done.stdout.strip().splitlines() or [""])[-1][:120],
    }
    if done.returncode != 0:
        result["error"] = done.stderr.strip().splitlines()[-3:]
    results.append(result)
    print(json.dumps(result, ensure_ascii=False), flush=True)


def manage(*args: str) -> list[str]:
    return [PYTHON, "manage.py", *args]


def prepare_database(backend: str) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "hall.settings.local"}
    env.pop("REDIS_URL", None)
    if backend == "sqlite":
        database = WORK / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{database}"
    else:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
            connection.execute("DROP DATABASE IF EXISTS hall_bench")
            connection.execute("CREATE DATABASE hall_bench")
        env["DATABASE_URL"] = POSTGRES_BENCH
    subprocess.run(manage("migrate", "-v0"), cwd=ROOT, env=env, check=True)
    subprocess.run(manage("seed_demo", "--no-visits"), cwd=ROOT, env=env, check=True,
                   capture_output=True)  # fmt: skip
    return env


WIPE = (
    "from django.db import connection\n"
    "tables = ['evaluations_historicalcomplaint', 'evaluations_dutyalert', "
    "'evaluations_complaint', 'evaluations_rating', 'windows_visititem', 'windows_visit']\n"
    "with connection.cursor() as c:\n"
    "    for t in tables: c.execute(f'DELETE FROM {t}')\n"
)


def bench_backend(
    backend: str, csv_file: Path, xlsx_file: Path, rows: int, reference: bool, import_runs: int
):
    results: list = []
    env = prepare_database(backend)
    hall = ["--hall", "LH01"]
    # The CSV import several times (emptied in between): this VM's speed varies by a
    # quarter from one minute to the next, so one figure alone says little.
    for attempt in range(1, import_runs + 1):
        if attempt > 1:
            subprocess.run(manage("shell", "-c", WIPE), cwd=ROOT, env=env, check=True)
        run(f"import_visits CSV (run {attempt})", manage("import_visits", str(csv_file)), env,
            results, rows)  # fmt: skip
    run("hall_stats (year)", manage("hall_stats", *hall, "--year", str(YEAR), "--json"), env,
        results)  # fmt: skip
    run("hall_stats selector, in process (best of 5)", [PYTHON, "bench/hall_stats_timing.py"],
        env, results)  # fmt: skip
    run("annual_review workbook", manage("annual_review", *hall, "--year", str(YEAR),
        "--output", str(WORK / f"annual-{backend}.xlsx")), env, results, rows)  # fmt: skip
    if reference:
        run("import-export XLSX export (reference)",
            [PYTHON, "bench/import_export_reference.py", "export", str(WORK / "ie.xlsx")],
            env, results, rows)  # fmt: skip
    run("daily bulletins, 20 halls", [PYTHON, "bench/bulletins_20_halls.py"], env, results)
    subprocess.run(manage("shell", "-c", WIPE), cwd=ROOT, env=env, check=True)
    run("import_visits XLSX", manage("import_visits", str(xlsx_file)), env, results, rows)
    if reference:
        subprocess.run(manage("shell", "-c", WIPE), cwd=ROOT, env=env, check=True)
        run("import-export CSV import (reference)",
            [PYTHON, "bench/import_export_reference.py", "import", str(csv_file)],
            env, results, rows)  # fmt: skip
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--skip-reference", action="store_true")
    parser.add_argument("--import-runs", type=int, default=3)
    options = parser.parse_args()
    from bench.generate import write_csv, write_xlsx

    WORK.mkdir(parents=True, exist_ok=True)
    csv_file, xlsx_file = WORK / f"visits-{options.rows}.csv", WORK / f"visits-{options.rows}.xlsx"
    if not csv_file.exists():
        write_csv(csv_file, hall="LH01", year=YEAR, total=options.rows)
    if not xlsx_file.exists():
        write_xlsx(xlsx_file, hall="LH01", year=YEAR, total=options.rows)
    everything = {}
    for backend in options.backends.split(","):
        print(f"== {backend}", flush=True)
        everything[backend] = bench_backend(
            backend,
            csv_file,
            xlsx_file,
            options.rows,
            not options.skip_reference,
            options.import_runs,
        )
    (ROOT / "bench" / "results.json").write_text(
        json.dumps(everything, indent=2, ensure_ascii=False)
    )


if __name__ == "__main__":
    main()

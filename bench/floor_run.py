"""Issue 13's benchmarks in one run: our import beside its raw-SQL floor and the reference,
hall_stats with 1, 2 and 4 years stored, the 20-hall city ranked, annual_review.

    .venv/bin/python bench/floor_run.py [--backends sqlite,postgres] [--rounds 3]
        [--rows 320000] [--only PARTS] [--skip-reference] [--skip-city]
        [--city-visits 6000000] [--keep-databases]

PARTS (comma-separated): ours (import_visits CSV), xlsx (import_visits XLSX), floor
(bench/floor.py), reference (bench/import_export_reference.py), annual_review, hall_stats,
city. See bench/README.md ("At the floor") for what each measures. Every step runs as its
own process under /usr/bin/time -v (wall time, peak RSS), with /proc/loadavg and the
machine's CPU use recorded around it. Results: bench/results-floor.json (a partial run
replaces only the parts it ran) and a markdown table on stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import floor_data  # noqa: E402
from bench.floor_verify import compare, format_entry  # noqa: E402

PYTHON = sys.executable
PREFIX = "hall_bench_floor"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgres://postgres@127.0.0.1:5432/{name}"
REDIS_URL = "redis://127.0.0.1:6379/7"
PARTS = ("ours", "xlsx", "floor", "reference", "annual_review", "hall_stats", "city")
SQLITE_FLOORS = ("executemany", "json_each")
HALL = floor_data.HALL


# -- measuring one step ------------------------------------------------------------------


def _cpu() -> tuple[int, int]:
    with open("/proc/stat") as stream:
        values = [int(v) for v in stream.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def _load() -> list[float]:
    return [float(v) for v in Path("/proc/loadavg").read_text().split()[:3]]


def _tree_rss_kb(root: int) -> int:
    """The proportional set size (PSS) of a process and all its descendants, summed: a page
    shared by a forked child and its parent counts once, not twice as RSS would."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
        except OSError:
            pass
    return total


def measure(command: list[str], env: dict) -> dict:
    """Run one step under /usr/bin/time -v: wall, peak RSS, CPU, load before and after.

    Peak RSS is time's (the largest single process); `tree_peak_mb` is the largest PSS sum
    over the step's process tree, sampled every 100 ms (our import's forked reader and its
    parent together, shared pages once)."""
    load_before = _load()
    busy_before, total_before = _cpu()
    started = time.perf_counter()
    process = subprocess.Popen(
        ["/usr/bin/time", "-v", *command], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    tree_peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.1):
            tree_peak[0] = max(tree_peak[0], _tree_rss_kb(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    stop.set()
    sampler.join()
    done = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    seconds = time.perf_counter() - started
    busy_after, total_after = _cpu()
    stats = dict(re.findall(r"^\s*([^:\n]+): (.+)$", done.stderr, re.M))
    cores = os.cpu_count() or 1
    machine_busy = (busy_after - busy_before) / max(1, total_after - total_before) * cores
    own_cpu = float(stats.get("User time (seconds)", 0)) + float(
        stats.get("System time (seconds)", 0)
    )
    stderr = [
        line for line in done.stderr.splitlines() if not line.startswith("\t") and line.strip()
    ]
    return {
        "seconds": round(seconds, 3),
        "peak_mb": round(int(stats.get("Maximum resident set size (kbytes)", 0)) / 1024, 1),
        "tree_peak_mb": round(tree_peak[0] / 1024, 1),
        "cpu_seconds": round(own_cpu, 2),
        "machine_busy_cores": round(machine_busy, 2),  # all processes, of os.cpu_count()
        "load_before": load_before,
        "load_after": _load(),
        "rc": done.returncode,
        "stdout_tail": done.stdout.strip().splitlines()[-6:],
        "stderr_tail": stderr[-6:] if done.returncode else [],
    }


# -- databases ------------------------------------------------------------------------------


class Backend:
    """One database engine: a template database built once (migrated, the hall created,
    its staff imported), copied for each step."""

    def __init__(self, name: str, work: Path) -> None:
        self.name = name
        self.work = work

    def url(self, db: str) -> str:
        if self.name == "sqlite":
            return f"sqlite:///{self.work / 'db' / (db + '.sqlite3')}"
        return PG_URL.format(name=f"{PREFIX}_{db}")

    def env(self, db: str) -> dict:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "hall.settings.local",
            "DJANGO_DEBUG": "false",
            "DATABASE_URL": self.url(db),
            "REDIS_URL": REDIS_URL,
        }
        env.pop("CACHE_URL", None)
        return env

    def _sqlite_path(self, db: str) -> Path:
        return self.work / "db" / f"{db}.sqlite3"

    def drop(self, db: str) -> None:
        if self.name == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self._sqlite_path(db)}{suffix}").unlink(missing_ok=True)
            return
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {PREFIX}_{db} WITH (FORCE)")

    def copy_template(self, db: str) -> None:
        self.drop(db)
        if self.name == "sqlite":
            shutil.copyfile(self._sqlite_path("template"), self._sqlite_path(db))
            return
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {PREFIX}_{db} TEMPLATE {PREFIX}_template")

    def build_template(self, staff_file: Path) -> dict:
        """Migrate, create the hall as the admin would, import its staff; reused while the
        migrations and the staff file are unchanged."""
        (self.work / "db").mkdir(parents=True, exist_ok=True)
        fingerprint = hashlib.sha256()
        for path in sorted(ROOT.glob("*/migrations/*.py")):
            fingerprint.update(path.name.encode() + path.read_bytes())
        fingerprint.update(staff_file.read_bytes())
        marker = self.work / "db" / f"template-{self.name}.fingerprint"
        if marker.exists() and marker.read_text() == fingerprint.hexdigest():
            return {"reused": True}
        self.drop("template")
        if self.name == "postgres":
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f"CREATE DATABASE {PREFIX}_template")
        env = self.env("template")
        started = time.perf_counter()
        subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True,
                       stderr=subprocess.DEVNULL)  # fmt: skip
        create_hall = (
            "from windows.models import Hall\n"
            f"Hall.objects.create(code={HALL!r}, name={floor_data.new_hall.HALL_NAME!r}, "
            "district='鼓楼区', is_active=True, time_zone='Asia/Shanghai', "
            "rating_timeout_seconds=60, weekly_questionnaire_quota=50, "
            "followup_due_working_days=1)\n"
        )
        subprocess.run([PYTHON, "manage.py", "shell", "-c", create_hall], cwd=ROOT, env=env,
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        staff = subprocess.run([PYTHON, "manage.py", "import_staff", str(staff_file)], cwd=ROOT,
                               env=env, capture_output=True, text=True)  # fmt: skip
        if self.name == "sqlite":
            import sqlite3

            connection = sqlite3.connect(self._sqlite_path("template"))
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.close()
        marker.write_text(fingerprint.hexdigest())
        return {
            "reused": False,
            "seconds": round(time.perf_counter() - started, 1),
            "staff_import": staff.stdout.strip().splitlines(),
        }


# -- the parts ----------------------------------------------------------------------------


class Run:
    def __init__(self, options) -> None:
        self.options = options
        self.work = Path(options.work)
        self.work.mkdir(parents=True, exist_ok=True)
        (self.work / "out").mkdir(exist_ok=True)
        self.parts = set(options.only.split(",")) if options.only else set(PARTS)
        if options.skip_reference:
            self.parts.discard("reference")
        if options.skip_city:
            self.parts.discard("city")
        unknown = self.parts - set(PARTS)
        if unknown:
            sys.exit(f"unknown parts: {', '.join(sorted(unknown))} (known: {', '.join(PARTS)})")
        self.backends = [Backend(name, self.work) for name in options.backends.split(",")]
        self.today = floor_data.hall_today()
        self.per_day = floor_data.visits_per_day(options.rows, self.today)
        self.steps: list[dict] = []
        self.verify: list[dict] = []
        self.results: dict = {}

    def log(self, text: str) -> None:
        print(text, flush=True)

    def step(self, part: str, backend: Backend, round_: int | None, name: str, command, env,
             **extra) -> dict:  # fmt: skip
        result = {"part": part, "backend": backend.name, "round": round_, "step": name, **extra}
        result.update(measure(command, env))
        self.steps.append(result)
        flag = "" if result["rc"] == 0 else f"  FAILED rc={result['rc']} {result['stderr_tail']}"
        self.log(
            f"  [{backend.name} r{round_}] {name}: {result['seconds']} s, {result['peak_mb']} MB "
            f"(tree {result['tree_peak_mb']} MB),"
            f" load {result['load_before'][0]}->{result['load_after'][0]}, machine busy "
            f"{result['machine_busy_cores']} cores{flag}"
        )
        if result["rc"] == 0 and result["stdout_tail"]:
            self.log(f"      {result['stdout_tail'][-1][:200]}")
        return result

    def data(self) -> None:
        started = time.perf_counter()
        self.staff_file = floor_data.staff_file(self.work)
        self.files = floor_data.visits_files(
            self.work, year=self.today.year, today=self.today, per_day=self.per_day,
            xlsx="xlsx" in self.parts,
        )  # fmt: skip
        self.rows = floor_data.count_rows(self.files["csv"])
        self.results["data"] = {
            "today": str(self.today),
            "visits_per_day": self.per_day,
            "rows": self.rows,
            "files": {kind: str(path) for kind, path in self.files.items()},
            "sizes_mb": {k: round(p.stat().st_size / 2**20, 1) for k, p in self.files.items()},
            "seconds": round(time.perf_counter() - started, 1),
        }
        self.log(f"data: {self.results['data']}")
        for backend in self.backends:
            info = backend.build_template(self.staff_file)
            self.log(f"template {backend.name}: {info}")

    # imports, interleaved: each round runs every step of every backend, in a rotated order
    def imports(self) -> None:
        wanted = [p for p in ("ours", "floor", "xlsx", "reference") if p in self.parts]
        if not wanted and "annual_review" not in self.parts:
            return
        for round_ in range(1, self.options.rounds + 1):
            for backend in self.backends:
                plan = []
                for part in wanted:
                    if part == "floor":
                        variants = SQLITE_FLOORS if backend.name == "sqlite" else ("copy",)
                        plan += [("floor", variant) for variant in variants]
                    else:
                        plan.append((part, None))
                shift = (round_ - 1) % max(1, len(plan))
                plan = plan[shift:] + plan[:shift]
                if "annual_review" in self.parts and not any(p == "ours" for p, _ in plan):
                    plan.insert(0, ("ours", None))  # annual_review reads ours' database
                self.log(f"== round {round_}, {backend.name}: {[p for p in plan]}")
                for part, variant in plan:
                    self.import_step(backend, round_, part, variant)
                self.check_round(backend, round_, plan)
                if "annual_review" in self.parts:
                    self.annual_review(backend, round_)
                if not self.options.keep_databases:
                    for part, variant in plan:
                        backend.drop(self.db_name(part, variant))

    @staticmethod
    def db_name(part: str, variant: str | None) -> str:
        return f"{part}_{variant}" if variant else part

    def import_step(self, backend: Backend, round_: int, part: str, variant: str | None):
        db = self.db_name(part, variant)
        backend.copy_template(db)
        env = backend.env(db)
        csv_file, rows = str(self.files["csv"]), self.rows
        if part == "ours":
            command = [PYTHON, "manage.py", "import_visits", csv_file, "--create-missing"]
            name = "import_visits CSV --create-missing"
        elif part == "xlsx":
            command = [PYTHON, "manage.py", "import_visits", str(self.files["xlsx"]),
                       "--create-missing"]  # fmt: skip
            name = "import_visits XLSX --create-missing"
        elif part == "floor":
            command = [PYTHON, "bench/floor.py", csv_file, "--database-url", backend.url(db),
                       "--hall", HALL, "--variant", variant]  # fmt: skip
            name = f"floor ({variant})"
        else:
            command = [PYTHON, "bench/import_export_reference.py", "import", csv_file]
            name = "django-import-export (visits only)"
        self.step(part, backend, round_, name, command, env, variant=variant, rows=rows)

    def check_round(self, backend: Backend, round_: int, plan) -> None:
        """Row for row: each floor and the XLSX import against the CSV import; the
        reference's visits (all it writes) against ours."""
        if not any(part == "ours" for part, _ in plan):
            return
        ours = backend.url("ours")
        for part, variant in plan:
            if part == "ours":
                continue
            tables = ["window_numbers", "staff", "visits"] if part == "reference" else None
            other = backend.url(self.db_name(part, variant))
            report = compare(
                ours, other, tables or [t for t in _all_tables() if t != "window_numbers"]
            )
            same = all(entry["same"] is not False for entry in report)
            self.verify.append({"backend": backend.name, "round": round_,
                                "compared": f"ours CSV vs {self.db_name(part, variant)}",
                                "same": same, "tables": report})  # fmt: skip
            self.log(f"  verify ours CSV vs {self.db_name(part, variant)}: "
                     f"{'identical' if same else 'MISMATCH'}")  # fmt: skip
            for entry in report:
                if entry["same"] is not True:
                    self.log(f"    {format_entry(entry)[:600]}")

    def annual_review(self, backend: Backend, round_: int) -> None:
        output = self.work / "out" / f"annual-{backend.name}.xlsx"
        self.step(
            "annual_review", backend, round_, "annual_review", [PYTHON, "manage.py",
            "annual_review", "--hall", HALL, "--year", str(self.today.year), "--output",
            str(output)], backend.env("ours"), rows=self.rows,
        )  # fmt: skip

    def hall_stats(self) -> None:
        years_wanted = [int(n) for n in self.options.stats_years.split(",")]
        for backend in self.backends:
            if backend.name not in self.options.stats_backends.split(","):
                self.log(f"hall_stats: {backend.name} skipped (--stats-backends)")
                continue
            backend.copy_template("stats")
            env = backend.env("stats")
            stored: list[int] = []
            for count in years_wanted:
                while len(stored) < count:
                    year = self.today.year - len(stored)
                    files = floor_data.visits_files(
                        self.work, year=year, today=self.today, per_day=self.per_day, xlsx=False
                    )
                    self.step("hall_stats", backend, None, f"load {year}", [PYTHON, "manage.py",
                              "import_visits", str(files["csv"]), "--create-missing"], env,
                              years_stored=len(stored) + 1)  # fmt: skip
                    stored.append(year)
                self.ensure_rollups(backend, env)
                year = str(self.today.year)
                self.step("hall_stats", backend, None, "hall_stats command", [PYTHON,
                          "manage.py", "hall_stats", "--hall", HALL, "--year", year, "--json"],
                          env, years_stored=len(stored))  # fmt: skip
                self.step("hall_stats", backend, None, "hall_stats selector in process",
                          [PYTHON, "bench/hall_stats_timing.py", year, "--hall", HALL,
                           "--runs", "5", "--json"], env, years_stored=len(stored))  # fmt: skip
            if not self.options.keep_databases:
                backend.drop("stats")

    def ensure_rollups(self, backend: Backend, env: dict) -> None:
        """ANALYZE; and if the rollups exist but the import left them empty, say so loudly
        and build them with the portal's rebuild command, so hall_stats reads them."""
        from bench.floor_verify import Database

        database = Database(env["DATABASE_URL"])
        if backend.name == "postgres":
            database.connection.autocommit = True
            database.connection.execute("ANALYZE")
        if database.exists("evaluations_dailyfigures"):
            cursor = database.connection.cursor()
            cursor.execute("SELECT count(*) FROM evaluations_dailyfigures")
            empty = cursor.fetchone()[0] == 0
            if empty:
                self.log("  WARNING: the import left the rollups empty: rebuild_rollups")
                self.step("hall_stats", backend, None, "rebuild_rollups (import left them "
                          "empty)", [PYTHON, "manage.py", "rebuild_rollups"], env)  # fmt: skip
                if backend.name == "postgres":
                    database.connection.execute("ANALYZE")
        else:
            self.log("  WARNING: no rollup tables yet: hall_stats reads the detail tables")
        database.connection.close()

    def city(self) -> None:
        for backend in self.backends:
            if backend.name != "postgres":
                self.log(f"city: {backend.name} skipped (PostgreSQL only)")
                continue
            backend.copy_template("city")
            env = backend.env("city")
            year = str(self.today.year - 1)
            self.step("city", backend, None, "generate", [PYTHON, "bench/city.py", "generate",
                      "--database-url", backend.url("city"), "--visits",
                      str(self.options.city_visits), "--halls", str(self.options.city_halls),
                      "--year", year], env)  # fmt: skip
            rebuild = subprocess.run([PYTHON, "manage.py", "help", "rebuild_rollups"], cwd=ROOT,
                                     env=env, capture_output=True)  # fmt: skip
            if rebuild.returncode == 0 and self.options.city_rollups == "command":
                self.step("city", backend, None, "rebuild_rollups",
                          [PYTHON, "manage.py", "rebuild_rollups"], env)  # fmt: skip
            else:
                self.log("  (raw INSERT ... SELECT rollups: rebuild_rollups absent or not asked)")
                self.step("city", backend, None, "rollups (raw INSERT ... SELECT)",
                          [PYTHON, "bench/city.py", "rollups", "--database-url",
                           backend.url("city")], env)  # fmt: skip
            self.step("city", backend, None, "halls_ranked and the detail tables", [PYTHON,
                      "bench/city.py", "time", "--year", year, "--runs", "5",
                      "--detail-runs", str(self.options.city_detail_runs)], env)  # fmt: skip
            if not self.options.keep_databases:
                backend.drop("city")

    # -- results ------------------------------------------------------------------------
    def run(self) -> None:
        started = dt.datetime.now(dt.UTC)
        self.data()
        self.imports()
        if "hall_stats" in self.parts:
            self.hall_stats()
        if "city" in self.parts:
            self.city()
        meta = {
            "started": started.isoformat(timespec="seconds"),
            "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                     capture_output=True, text=True).stdout.strip(),
            "dirty": bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                                         cwd=ROOT, capture_output=True, text=True).stdout),
            "argv": sys.argv[1:],
            "parts": sorted(self.parts),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                        "kernel": platform.release()},
        }  # fmt: skip
        summary = self.write(meta)
        print()
        print(markdown(summary, self.results.get("data", {}), meta))

    def write(self, meta: dict) -> dict:
        """Write the results (a partial run keeps the other parts' steps); the summary of
        everything the file now holds."""
        path = Path(self.options.output)
        old = json.loads(path.read_text()) if path.exists() and self.options.only else {}
        names = {backend.name for backend in self.backends}
        steps = [
            s for s in old.get("steps", [])
            if not (s["part"] in self.parts and s["backend"] in names)
        ] + self.steps  # fmt: skip
        # Old checks stay unless this run redid one of their sides (ours: every check).
        verify = [
            v for v in old.get("verify", [])
            if v["backend"] not in names or (
                "ours" not in self.parts
                and v["compared"].split(" vs ")[1].split("_")[0] not in self.parts)
        ]  # fmt: skip
        result = {
            "meta": meta,
            "runs": [*old.get("runs", []), meta],  # every partial run that made this file
            "data": self.results.get("data"),
            "steps": steps,
            "verify": verify + self.verify,
            "summary": summarize(steps, verify + self.verify),
        }
        path.write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str))
        self.log(f"wrote {path}")
        return result["summary"]


def _all_tables():
    from bench.floor_verify import TABLES

    return TABLES


def _stats(values: list[float]) -> dict | None:
    if not values:
        return None
    return {"median": round(statistics.median(values), 3), "min": round(min(values), 3),
            "n": len(values)}  # fmt: skip


def _parse_json_tail(step: dict) -> dict:
    for line in reversed(step.get("stdout_tail") or []):
        try:
            return json.loads(line)
        except ValueError:
            continue
    return {}


def summarize(steps: list[dict], verify: list[dict]) -> dict:
    summary: dict = {}
    for backend in sorted({s["backend"] for s in steps}, key=lambda b: (b != "sqlite", b)):
        mine = [s for s in steps if s["backend"] == backend and s["rc"] == 0]

        def of(part, variant=None, name=None, mine=mine):
            return [
                s for s in mine
                if s["part"] == part and (variant is None or s.get("variant") == variant)
                and (name is None or s["step"] == name)
            ]  # fmt: skip

        entry: dict = {}
        ours = _stats([s["seconds"] for s in of("ours")])
        entry["ours_csv"] = ours and {
            **ours,
            "peak_mb": max(s["peak_mb"] for s in of("ours")),
            "tree_peak_mb": max(s.get("tree_peak_mb", 0) for s in of("ours")),
        }
        floors = {}
        for variant in {s.get("variant") for s in of("floor")}:
            floors[variant] = _stats([s["seconds"] for s in of("floor", variant)])
        entry["floor_variants"] = floors
        if floors:
            best = min(floors, key=lambda v: floors[v]["median"])
            entry["floor"] = {**floors[best], "variant": best}
        xlsx = of("xlsx")
        entry["ours_xlsx"] = _stats([s["seconds"] for s in xlsx])
        if xlsx:
            entry["ours_xlsx"]["peak_mb"] = max(s["peak_mb"] for s in xlsx)
            entry["ours_xlsx"]["tree_peak_mb"] = max(s.get("tree_peak_mb", 0) for s in xlsx)
        entry["reference"] = _stats([s["seconds"] for s in of("reference")])
        annual = of("annual_review")
        entry["annual_review"] = _stats([s["seconds"] for s in annual])
        if annual:
            entry["annual_review"]["peak_mb"] = max(s["peak_mb"] for s in annual)
        ratios = {}
        if ours and entry.get("floor"):
            ratios["ours_over_floor_median"] = round(ours["median"] / entry["floor"]["median"], 2)
            ratios["ours_over_floor_min"] = round(ours["min"] / entry["floor"]["min"], 2)
            per_round = {}
            for s in of("ours"):
                best_floor = [f["seconds"] for f in of("floor") if f["round"] == s["round"]]
                if best_floor:
                    per_round[s["round"]] = round(s["seconds"] / min(best_floor), 2)
            ratios["ours_over_floor_per_round"] = per_round
        if ours and entry["ours_xlsx"]:
            ratios["xlsx_over_csv_median"] = round(entry["ours_xlsx"]["median"] / ours["median"], 2)
        if ours and entry["reference"]:
            ratios["reference_over_ours_median"] = round(
                entry["reference"]["median"] / ours["median"], 2
            )
        entry["ratios"] = ratios
        stats_steps = of("hall_stats")
        entry["hall_stats"] = [
            {
                "years_stored": s["years_stored"],
                "step": s["step"],
                "seconds": s["seconds"],
                "peak_mb": s["peak_mb"],
                **({"best_in_process": _parse_json_tail(s).get("best")}
                   if "selector" in s["step"] else {}),
            }
            for s in stats_steps
            if s["step"].startswith("hall_stats")
        ]  # fmt: skip
        city = {s["step"]: s for s in of("city")}
        if city:
            timing = next((_parse_json_tail(s) for n, s in city.items() if "halls_ranked" in n), {})
            generated = next((_parse_json_tail(s) for n, s in city.items() if n == "generate"), {})
            entry["city"] = {
                "generate_seconds": city.get("generate", {}).get("seconds"),
                "generated": generated,
                "rollups_seconds": next(
                    (s["seconds"] for n, s in city.items() if "rollups" in n), None
                ),
                "timing": timing,
            }
        checks = [v for v in verify if v["backend"] == backend]
        entry["verified"] = {
            "comparisons": len(checks),
            "all_identical": all(v["same"] for v in checks) if checks else None,
            "mismatches": sorted({v["compared"] for v in checks if not v["same"]}),
        }
        summary[backend] = entry
    return summary


def _fmt(stat: dict | None, key: str = "median") -> str:
    if not stat:
        return "–"
    return f"{stat[key]:.2f} s"


def markdown(summary: dict, data: dict, meta: dict) -> str:
    lines = [
        f"Run {meta['started']} → {meta['finished']} (commit {meta['commit']}"
        f"{', uncommitted changes' if meta['dirty'] else ''}), {data.get('rows', '?')} visits "
        f"({data.get('visits_per_day', '?')} a working day, 1 January to {data.get('today')}).",
        "",
        "| step | " + " | ".join(summary) + " |",
        "|---|" + "---|" * len(summary),
    ]

    def row(title, cell):
        lines.append(f"| {title} | " + " | ".join(cell(e) for e in summary.values()) + " |")

    def ratio(entry, key):
        value = entry["ratios"].get(key)
        return "–" if value is None else f"{value:.2f}x"

    row("`import_visits --create-missing` CSV, median (min)", lambda e: (
        f"{_fmt(e['ours_csv'])} ({_fmt(e['ours_csv'], 'min')}), "
        f"{e['ours_csv']['peak_mb']:.0f} MB (tree {e['ours_csv'].get('tree_peak_mb', 0):.0f})"
        if e.get("ours_csv") else "–"))  # fmt: skip
    row("raw floor, median (min)", lambda e: (
        f"{_fmt(e['floor'])} ({_fmt(e['floor'], 'min')}) {e['floor']['variant']}"
        if e.get("floor") else "–"))  # fmt: skip
    row("floor variants, median", lambda e: ", ".join(
        f"{v}: {_fmt(s)}" for v, s in sorted(e["floor_variants"].items())) or "–")  # fmt: skip
    row(
        "**import / floor** (ratio of medians; of mins)",
        lambda e: f"**{ratio(e, 'ours_over_floor_median')}**; {ratio(e, 'ours_over_floor_min')}",
    )
    row(
        "import / floor per round",
        lambda e: (
            ", ".join(f"{v:.2f}" for v in e["ratios"].get("ours_over_floor_per_round", {}).values())
            or "–"
        ),
    )
    row(
        "XLSX import, median, peak memory",
        lambda e: (
            f"{_fmt(e['ours_xlsx'])}, **{e['ours_xlsx']['peak_mb']:.0f} MB** "
            f"(tree {e['ours_xlsx'].get('tree_peak_mb', 0):.0f}), "
            f"{ratio(e, 'xlsx_over_csv_median')} the CSV"
            if e.get("ours_xlsx")
            else "–"
        ),
    )
    row("django-import-export, tuned (visits only), median", lambda e: (
        f"{_fmt(e['reference'])}: {ratio(e, 'reference_over_ours_median')} ours"
        if e.get("reference") else "–"))  # fmt: skip
    row("`annual_review`, median, peak memory", lambda e: (
        f"**{_fmt(e['annual_review'])}**, {e['annual_review']['peak_mb']:.0f} MB"
        if e.get("annual_review") else "–"))  # fmt: skip
    for years in (1, 2, 4):
        row(f"`hall_stats` with {years} year(s) stored: command; selector best of 5", lambda e,
            y=years: "; ".join(
                (f"**{s['best_in_process']:.3f} s**" if "best_in_process" in s
                 else f"{s['seconds']:.2f} s")
                for s in e.get("hall_stats", []) if s["years_stored"] == y) or "–")  # fmt: skip
    row("city: generated (visits), rollups built", lambda e: (
        f"{_seconds(e['city']['generate_seconds'])} "
        f"({e['city']['generated'].get('rows', {}).get('windows_visit', '?')} visits), "
        f"{_seconds(e['city']['rollups_seconds'])}" if e.get("city") else "–"))  # fmt: skip
    row(
        "city: `halls_ranked` best of 5; from the detail tables",
        lambda e: _city(e["city"]["timing"]) if e.get("city") else "–",
    )
    row("row-for-row check", lambda e: (
        "–" if e["verified"]["all_identical"] is None
        else f"identical ({e['verified']['comparisons']} comparisons)"
        if e["verified"]["all_identical"]
        else "**MISMATCH**: " + ", ".join(e["verified"]["mismatches"])))  # fmt: skip
    return "\n".join(lines)


def _seconds(value) -> str:
    return "failed" if value is None else f"{value:.1f} s"


def _city(timing: dict) -> str:
    ranked = timing.get("halls_ranked")
    detail = timing.get("from_detail", {})
    ranked_text = f"**{ranked['best']:.3f} s**" if isinstance(ranked, dict) else str(ranked)
    if not detail:
        return ranked_text or "failed"
    same = timing.get("same_figures")
    check = "" if same is None else ("; same figures" if same else "; FIGURES DIFFER")
    return f"{ranked_text}; {detail.get('best', float('nan')):.2f} s{check}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--rows",
        type=int,
        default=320_000,
        help="visits of the main file, about (1 January to today)",
    )
    parser.add_argument("--only", help=f"comma-separated parts of {', '.join(PARTS)}")
    parser.add_argument("--skip-reference", action="store_true")
    parser.add_argument("--skip-city", action="store_true")
    parser.add_argument("--city-visits", type=int, default=6_000_000)
    parser.add_argument("--city-halls", type=int, default=20)
    parser.add_argument("--city-detail-runs", type=int, default=3)
    parser.add_argument("--city-rollups", choices=("command", "raw"), default="command")
    parser.add_argument("--stats-years", default="1,2,4")
    parser.add_argument("--stats-backends", default="postgres")
    parser.add_argument("--keep-databases", action="store_true")
    parser.add_argument("--work", default="/tmp/hall-floor")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results-floor.json"))
    Run(parser.parse_args()).run()  # fmt: skip


if __name__ == "__main__":
    main()

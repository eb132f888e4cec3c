"""The city: 20 halls' year of visits generated in PostgreSQL, and the ranking timed on it.

    python bench/city.py generate --database-url URL [--visits 6000000] [--halls 20] [--year Y]
    python bench/city.py rollups --database-url URL        # raw INSERT ... SELECT per hall
    python bench/city.py time --database-url URL [--runs 5] [--detail-runs 3] [--year Y]

`generate` writes everything with generate_series, in the database, in one transaction:
halls CT01..CT20 (20 windows and 20 staff cards each, 30 shared service items), their
visits over the state working days of the year (87% completed, 8% transferred, 5% no-shows;
1-3 items), the items, and ratings of 90% of the completed visits (about 2% bad, all
historical: no cases), then ANALYZE. The foreign keys' checks are skipped for that one
transaction (session_replication_role = replica: the rows are consistent by construction,
and generating is not what is measured). The rollups are then built by the portal's
`rebuild_rollups` command (bench/floor_run.py) or, without it, by `rollups` here (the
floor's INSERT ... SELECT ... GROUP BY, bench/floor.py).

`time` (Django in process) times `halls_ranked(hall_ids=the city's halls, start, end)` (best
of --runs) beside the same figures computed from the detail tables with
figure_aggregates() (best of --detail-runs), and checks that both give the same figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PREFIX = "CT"
WINDOWS = 20
ITEMS = 30


def _days(year: int) -> list[dt.date]:
    import chinese_calendar

    days = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        try:
            open_ = chinese_calendar.is_workday(day)
        except NotImplementedError:
            open_ = day.weekday() < 5
        if open_:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def generate(url: str, *, visits: int, halls: int, year: int) -> dict:
    import psycopg

    days = _days(year)
    per_day = max(1, round(visits / halls / len(days)))
    timings = {}
    with psycopg.connect(url) as db, db.cursor() as cursor:
        started = time.perf_counter()
        # Generated consistent by construction: the foreign-key triggers are skipped for
        # this transaction (superuser only; the portal never does this). Generating the
        # city is not what is measured; without it the commit alone checked 2.4 FKs a row.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "INSERT INTO windows_hall (code, name, district, address, supervision_phone, "
            "is_active, followup_due_working_days, rating_timeout_seconds, "
            "weekly_questionnaire_quota, time_zone, queue_recall_limit, display_shows_ratings, "
            "booking_miss_limit, booking_miss_days, booking_block_days, queue_version) "
            f"SELECT '{PREFIX}' || lpad(n::text, 2, '0'), 'City hall ' || n, '', '', '', true, "
            "1, 60, 50, 'Asia/Shanghai', 2, true, 3, 30, 30, 0 "
            "FROM generate_series(1, %s) n RETURNING id",
            (halls,),
        )
        hall_ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "CREATE TEMPORARY TABLE city_window ON COMMIT DROP AS "
            "SELECT h AS hall_id, k, 0::bigint AS id, 0::bigint AS staff_id "
            f"FROM unnest(%s::bigint[]) h, generate_series(0, {WINDOWS - 1}) k",
            (hall_ids,),
        )
        cursor.execute(
            "WITH w AS (INSERT INTO windows_window (hall_id, number, name, is_active, "
            "live_version) SELECT hall_id, k + 1, '', true, 0 FROM city_window "
            "RETURNING id, hall_id, number) "
            "UPDATE city_window c SET id = w.id FROM w "
            "WHERE w.hall_id = c.hall_id AND w.number = c.k + 1"
        )
        cursor.execute(
            "WITH s AS (INSERT INTO windows_staff (hall_id, badge_no, display_name, photo, "
            "job_title, is_active, email) SELECT hall_id, "
            f"'{PREFIX}S' || lpad((k + 1)::text, 3, '0'), 'Staff ' || (k + 1), '', '', true, '' "
            "FROM city_window RETURNING id, hall_id, badge_no) "
            "UPDATE city_window c SET staff_id = s.id FROM s WHERE s.hall_id = c.hall_id "
            f"AND s.badge_no = '{PREFIX}S' || lpad((c.k + 1)::text, 3, '0')"
        )
        cursor.execute(
            "INSERT INTO windows_serviceitem (code, name, category, handling, "
            "required_materials, is_published) "
            f"SELECT '{PREFIX}I' || lpad(n::text, 2, '0'), 'City item ' || n, '', "
            f"'on_the_spot', '', true FROM generate_series(1, {ITEMS}) n "
            "ON CONFLICT (code) DO NOTHING"
        )
        cursor.execute(
            f"SELECT array_agg(id ORDER BY code) FROM windows_serviceitem "
            f"WHERE code LIKE '{PREFIX}I%%'"
        )
        item_ids = cursor.fetchone()[0]
        timings["references"] = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute(
            "INSERT INTO windows_visit (hall_id, ticket_no, issued_at, called_at, started_at, "
            "finished_at, service_date, window_id, staff_id, status, item_count) "
            "SELECT x.hall_id, 'A' || lpad(x.s::text, 5, '0'), "
            "x.started - make_interval(secs => 60 + x.r3 * 1800), "
            "x.started - interval '20 seconds', x.started, "
            "CASE WHEN x.status <> 'no_show' THEN x.started "
            "+ make_interval(secs => 120 + x.r4 * 1380) END, "
            "x.day, w.id, w.staff_id, x.status, 1 + floor(x.r2 * x.r2 * 3)::int "
            "FROM (SELECT h AS hall_id, d.day, g.s, "
            "CASE WHEN r.r1 < 0.87 THEN 'completed' WHEN r.r1 < 0.95 THEN 'transferred' "
            "ELSE 'no_show' END AS status, r.r2, r.r3, r.r4, "
            "((d.day + time '08:30') + make_interval(secs => g.s * 30600.0 / %s)) "
            "AT TIME ZONE 'Asia/Shanghai' AS started "
            "FROM unnest(%s::bigint[]) h, unnest(%s::date[]) d(day), "
            "generate_series(1, %s) g(s), "
            "LATERAL (SELECT random() + g.s * 0 AS r1, random() + g.s * 0 AS r2, "
            "random() + g.s * 0 AS r3, random() + g.s * 0 AS r4) r) x "
            f"JOIN city_window w ON w.hall_id = x.hall_id AND w.k = x.s %% {WINDOWS}",
            (per_day, hall_ids, days, per_day),
        )
        timings["visits"] = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute(
            "INSERT INTO windows_visititem (visit_id, service_item_id) "
            f"SELECT v.id, (%s::bigint[])[1 + (v.id * 7 + k * 13) %% {ITEMS}] "
            "FROM windows_visit v, generate_series(1, v.item_count) k "
            "WHERE v.hall_id = ANY(%s)",
            (item_ids, hall_ids),
        )
        timings["items"] = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute(
            "INSERT INTO evaluations_rating (visit_id, level, rated_at, source, reasons, "
            "comment, callback_phone, excluded, exclusion_note, historical_followup_skipped) "
            "SELECT id, level, finished_at + interval '15 seconds', 'import', '[]', '', '', "
            "'', '', level <= 2 FROM (SELECT v.id, v.finished_at, r.r1, "
            "CASE WHEN r.r2 < 0.012 THEN 1 WHEN r.r2 < 0.02 THEN 2 WHEN r.r2 < 0.05 THEN 3 "
            "WHEN r.r2 < 0.15 THEN 4 ELSE 5 END AS level "
            "FROM windows_visit v, LATERAL (SELECT random() + v.id * 0 AS r1, "
            "random() + v.id * 0 AS r2) r "
            "WHERE v.hall_id = ANY(%s) AND v.status = 'completed') x WHERE x.r1 < 0.9",
            (hall_ids,),
        )
        timings["ratings"] = time.perf_counter() - started
        started = time.perf_counter()
        db.commit()
        timings["commit"] = time.perf_counter() - started
    with psycopg.connect(url, autocommit=True) as db:
        started = time.perf_counter()
        for table in ("windows_visit", "windows_visititem", "evaluations_rating"):
            db.execute(f"ANALYZE {table}")
        timings["analyze"] = time.perf_counter() - started
        counts = {
            table: db.execute(
                f"SELECT count(*) FROM {table} t JOIN windows_visit v ON v.id = t.{key} "
                "WHERE v.hall_id = ANY(%s)",
                (hall_ids,),
            ).fetchone()[0]
            for table, key in (
                ("windows_visit", "id"),
                ("windows_visititem", "visit_id"),
                ("evaluations_rating", "visit_id"),
            )
        }
    return {
        "halls": halls,
        "per_day": per_day,
        "days": len(days),
        "rows": counts,
        "seconds": {k: round(v, 2) for k, v in timings.items()},
    }


def raw_rollups(url: str) -> dict:
    import psycopg

    from bench.floor import rollup_sql

    started = time.perf_counter()
    with psycopg.connect(url) as db:
        hall_ids = [
            row[0]
            for row in db.execute(
                "SELECT id FROM windows_hall WHERE code LIKE %s ORDER BY id", (f"{PREFIX}%",)
            )
        ]
        # One statement per table for all the city's halls (per hall, each would scan the
        # whole ratings and items tables again).
        halls = f"v.hall_id IN ({', '.join(str(int(pk)) for pk in hall_ids)})"
        for table, sql in rollup_sql("postgresql", halls).items():
            if db.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] is None:
                print(f"city: WARNING: {table} does not exist")
                continue
            db.execute(f"DELETE FROM {table} WHERE hall_id = ANY(%s)", (hall_ids,))
            db.execute(sql)
        db.commit()
    with psycopg.connect(url, autocommit=True) as db:
        for table in rollup_sql("postgresql"):
            if db.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] is not None:
                db.execute(f"ANALYZE {table}")
    return {"seconds": round(time.perf_counter() - started, 2)}


def _as_dict(entry) -> dict:
    if isinstance(entry, dict):
        return entry
    if hasattr(entry, "_asdict"):
        return entry._asdict()
    if hasattr(entry, "__dataclass_fields__"):
        import dataclasses

        return {f.name: getattr(entry, f.name) for f in dataclasses.fields(entry)}
    return dict(vars(entry))


def timing(*, runs: int, detail_runs: int, year: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hall.settings.local")
    import django

    django.setup()
    from evaluations.selectors.figures import figure_aggregates
    from windows.models import Hall, Visit

    hall_ids = list(
        Hall.objects.filter(code__startswith=PREFIX).order_by("pk").values_list("pk", flat=True)
    )
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    result: dict = {"halls": len(hall_ids), "start": str(start), "end": str(end)}
    try:
        from evaluations.selectors.rollups import halls_ranked
    except ImportError as error:
        result["halls_ranked"] = f"not available: {error}"
        halls_ranked = None
    ranked = None
    if halls_ranked is not None:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            ranked = halls_ranked(hall_ids=hall_ids, start=start, end=end)
            ranked = list(ranked)
            times.append(time.perf_counter() - started)
        result["halls_ranked"] = {
            "best": round(min(times), 4),
            "runs": [round(t, 4) for t in times],
        }
    times = []
    for _ in range(detail_runs):
        started = time.perf_counter()
        detail = list(
            Visit.objects.filter(hall_id__in=hall_ids, service_date__range=(start, end))
            .order_by()
            .values("hall_id")
            .annotate(**figure_aggregates())
        )
        times.append(time.perf_counter() - started)
    result["from_detail"] = {"best": round(min(times), 4), "runs": [round(t, 4) for t in times]}
    result["visits"] = sum(row["visits"] for row in detail)
    if ranked is not None:
        by_hall = {row["hall_id"]: row for row in detail}
        mismatches = []
        for entry in ranked:
            values = _as_dict(entry)
            hall_id = values.get("hall_id") or getattr(values.get("hall"), "pk", None)
            figures = values.get("figures")
            if figures is not None:
                values = {**values, **_as_dict(figures)}
            expected = by_hall.get(hall_id)
            if expected is None:
                mismatches.append(f"hall {hall_id} not in the detail figures")
                continue
            for name in ("visits", "items", "rated", "good", "bad", "transferred", "no_shows"):
                if name in values and values[name] != expected[name]:
                    mismatches.append(f"hall {hall_id} {name}: {values[name]} != {expected[name]}")
        result["same_figures"] = not mismatches
        result["mismatches"] = mismatches[:5]
        result["ranked_entries"] = len(ranked)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("generate", "rollups", "time"))
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--visits", type=int, default=6_000_000)
    parser.add_argument("--halls", type=int, default=20)
    parser.add_argument("--year", type=int, default=dt.date.today().year - 1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--detail-runs", type=int, default=3)
    options = parser.parse_args()
    if options.action == "generate":
        result = generate(
            options.database_url, visits=options.visits, halls=options.halls, year=options.year
        )
    elif options.action == "rollups":
        result = raw_rollups(options.database_url)
    else:
        result = timing(runs=options.runs, detail_runs=options.detail_runs, year=options.year)
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()

"""Satisfaction against waiting (waiting_bands) and the surge check (surge_state) at real size,
each beside the physical floor and the best-tuned ORM alternative, in one run.

python bench/waiting_surge.py --db postgres|sqlite [--fresh] [--repeat 5] [--json FILE]

The hall (`generate_hall`): business days of 2020 (windows.workdays.business_days, the hall
calendar every figure uses) plus 2019-11-01..2019-12-06 (last year's season of the surge
check's history), about 1,000 visits a day, 23 windows in three zones, four business
categories; waits mostly 0-20 minutes with a tail to 90 (a few negative: clock errors),
service 2-30 minutes, times with microseconds; ~85% of the completed visits rated, bad
reviews 1-3% rising with the wait, a few ratings excluded. Written with COPY (PostgreSQL) or
executemany (SQLite), then the daily rollups rebuilt (the surge's learnt capacity reads them)
and the tables analysed (ANALYZE / VACUUM ANALYZE): the same state for every variant.

Measured, warm (one untimed call first), median and min of --repeat calls:

- ours: waiting_bands() for 2020 and for September 2020, grouped_counts() alone and its SQL
  alone (where the time goes); surge_state() at 10:15 local on 2020-11-18 and its arrivals
  query (arrival_counts) alone;
- floor: one hand-written SQL statement per database giving the same grouped counts
  (`floor_sql`), and the raw SQL of the arrivals grouping (`surge_floor_sql`);
- alternative: Django's conditional aggregation, one values("window").annotate() with a
  Count("pk", filter=Q(...)) per waiting band × service band × class (`alternative_counts`).

Every variant's figures are compared before any time is printed: ours == floor ==
alternative, or the run stops.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAME = "benchwait"
URLS = {
    "postgres": f"postgres://postgres@127.0.0.1:5432/{NAME}",
    "sqlite": f"sqlite:////tmp/{NAME}.sqlite3",
}

if __name__ == "__main__":  # the database is chosen before Django reads its settings
    sys.path.insert(0, ROOT)
    _db = sys.argv[sys.argv.index("--db") + 1] if "--db" in sys.argv else "postgres"
    os.environ["DATABASE_URL"] = URLS[_db]
    os.environ["DJANGO_SETTINGS_MODULE"] = "hall.settings.test"
    import django

    django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q  # noqa: E402
from django.db.models.functions import Coalesce  # noqa: E402

from evaluations import rules  # noqa: E402
from evaluations.models import Rating  # noqa: E402
from evaluations.selectors.waiting_bands import (  # noqa: E402
    SERVICE_BANDS,
    WAIT_BANDS,
    WaitingFilters,
    grouped_counts,
    waiting_bands,
)
from windows.models import Hall, QueueCategory, Visit, Window, Zone  # noqa: E402
from windows.workdays import business_days  # noqa: E402

ZONE = ZoneInfo("Asia/Shanghai")
CODE = "WS01"
WINDOWS = 23
# (prefix, name, share of the visits, zone)
CATEGORIES = (
    ("A", "企保待遇通办", 0.30, "企保待遇通办"),
    ("B", "医保通办", 0.30, "医保通办"),
    ("C", "就业通办", 0.15, "社保通办"),
    ("D", "综合", 0.25, "社保通办"),
)
ZONES = {"企保待遇通办": range(1, 8), "医保通办": range(8, 15), "社保通办": range(15, 24)}
# Arrival shape over the 15-minute slots from 8:30 (bench/surge_replay.py's).
SHAPE = [
    2, 5, 8, 9, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1.5,
    1.5, 2, 3, 4, 5, 5.5, 5.5, 5, 4.5, 4, 3, 2.5, 2, 1.5, 1, 1, 0.5, 0.5, 0.3, 0.2,
]  # fmt: skip
SLOT_STARTS = [(datetime(2000, 1, 1, 8, 30) + timedelta(minutes=15 * n)).time() for n in range(34)]
YEAR = (date(2020, 1, 1), date(2020, 12, 31))
MONTH = (date(2020, 9, 1), date(2020, 9, 30))
SEASON = (date(2019, 11, 1), date(2019, 12, 6))
SURGE_NOW = datetime(2020, 11, 18, 10, 15, tzinfo=ZONE)
GOOD, BAD, EXCLUDED = "g", "b", "x"


# --- the hall -----------------------------------------------------------------------------


def _visit_rows(rng: random.Random, day: date, per_day: int, windows: dict, categories: list):
    """(visit row, rating row or None) of one day: the visit's columns in VISIT_COLUMNS."""
    weekday = (1.12, 1.03, 0.98, 0.97, 0.90, 0.9, 0.9)[day.weekday()]
    total = round(per_day * weekday * rng.uniform(0.93, 1.07))
    weights = [share for _p, _n, share, _z in CATEGORIES]
    numbers = {prefix: 0 for prefix, *_ in CATEGORIES}
    slots = rng.choices(range(len(SHAPE)), SHAPE, k=total)
    slots.sort()
    for slot in slots:
        index = rng.choices(range(len(CATEGORIES)), weights)[0]
        prefix, _name, _share, zone = CATEGORIES[index]
        numbers[prefix] += 1
        issued = datetime.combine(day, SLOT_STARTS[slot], tzinfo=ZONE) + timedelta(
            seconds=rng.uniform(0, 900)
        )
        number = rng.choice(ZONES[zone])
        # Waits: mostly 0-20 minutes, longer at the morning peak and at a few windows, a
        # tail to 90; now and then a clock error (called before the ticket was issued).
        peak = 1.4 if 4 <= slot <= 9 else 1.0
        slow = 1.5 if number in (3, 9, 17) else 1.0
        if rng.random() < 0.03:
            wait = rng.uniform(20, 90)
        else:
            wait = min(rng.expovariate(1 / (6.5 * peak * slow)), 90)
        if rng.random() < 0.0005:
            wait = -rng.uniform(0.01, 1.5)
        waited = timedelta(minutes=wait)
        has_call = rng.random() < 0.9
        called = issued + waited if has_call else None
        started = (called + timedelta(seconds=rng.uniform(5, 90))) if has_call else issued + waited
        service = timedelta(minutes=min(2 + rng.expovariate(1 / 6), 30))
        status = rng.choices(
            ("completed", "no_show", "transferred", "abandoned"), (92.7, 4, 3, 0.3)
        )[0]
        finished = started + service if status in ("completed", "transferred") else None
        if status == "no_show":
            finished = started + timedelta(seconds=rng.uniform(30, 120))
        visit = (
            f"{prefix}{numbers[prefix]:03d}",
            issued,
            called,
            started,
            finished,
            day,
            windows[number],
            status,
            rng.choices((1, 2, 3), (70, 20, 10))[0],
            categories[index],
        )
        rating = None
        if status == "completed" and rng.random() < 0.85:
            p_bad = 0.01 + 0.0006 * max(0.0, wait - 15)
            level = (
                rng.choice((1, 2, 2))
                if rng.random() < p_bad
                else rng.choices((5, 4, 3), (85, 10, 5))[0]
            )
            excluded = ""
            if rng.random() < (0.1 if level < 3 else 0.001):
                excluded = rng.choice(("malicious", "mistaken"))
            rating = (level, excluded, finished + timedelta(seconds=rng.uniform(2, 20)))
        yield visit, rating


VISIT_COLUMNS = (
    "id", "hall_id", "ticket_no", "issued_at", "called_at", "started_at", "finished_at",
    "service_date", "window_id", "status", "item_count", "category_id",
)  # fmt: skip
RATING_COLUMNS = (
    "visit_id", "level", "excluded", "rated_at", "reasons", "comment", "callback_phone",
    "source", "exclusion_note",
)  # fmt: skip


def _write(table: str, columns: tuple, rows: list) -> None:
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                [
                    tuple(
                        value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
                        if isinstance(value, datetime)
                        else value
                        for value in row
                    )
                    for row in rows
                ],
            )


def generate_hall(*, code: str = CODE, per_day: int = 1000, seed: int = 2020, days=None) -> Hall:
    """The hall, its zones, windows, categories, visits and ratings (see the module's
    docstring); `days` defaults to the business days of 2020 and of last year's season."""
    rng = random.Random(seed)
    hall = Hall.objects.create(code=code, name="等候基准大厅", district="六合区")
    zones = {name: Zone.objects.create(hall=hall, name=name) for name in ZONES}
    windows = {}
    for zone_name, numbers in ZONES.items():
        for number in numbers:
            window = Window.objects.create(
                hall=hall, number=number, name=f"{zone_name}{number}号窗口", zone=zones[zone_name]
            )
            windows[number] = window.pk
    categories = []
    for order, (prefix, name, _share, zone_name) in enumerate(CATEGORIES):
        category = QueueCategory.objects.create(
            hall=hall, name=name, prefix=prefix, sort_order=order
        )
        category.zones.add(zones[zone_name])
        categories.append(category.pk)
    if days is None:
        days = [
            *business_days(hall=hall, start=SEASON[0], end=SEASON[1]),
            *business_days(hall=hall, start=YEAR[0], end=YEAR[1]),
        ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM windows_visit")
        next_id = cursor.fetchone()[0] + 1
    for chunk_start in range(0, len(days), 20):
        visits, ratings = [], []
        for day in days[chunk_start : chunk_start + 20]:
            for visit, rating in _visit_rows(rng, day, per_day, windows, categories):
                visits.append((next_id, hall.pk, *visit))
                if rating:
                    level, excluded, rated_at = rating
                    ratings.append((next_id, level, excluded, rated_at, "[]", "", "", "import", ""))
                next_id += 1
        _write("windows_visit", VISIT_COLUMNS, visits)
        _write("evaluations_rating", RATING_COLUMNS, ratings)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("windows_visit", "evaluations_rating"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT MAX(id) FROM {table}))"
                )
    return hall


# --- the figures, three ways --------------------------------------------------------------


def as_cells(rows) -> dict:
    """{(window id, wait band, service band): (rated, good, bad, excluded)} of grouped_counts'
    rows, without empty cells: the one shape every variant is compared in."""
    return {
        (window, wait, service): (c.rated, c.good, c.bad, c.excluded)
        for window, wait, service, c in rows
        if c.rated
    }


def _cells_from_classes(rows) -> dict:
    """(window, wait band, service band, class, count) rows into as_cells' shape."""
    out: dict = {}
    for window, wait, service, kind, count in rows:
        key = (window, int(wait), int(service))
        counts = out.setdefault(key, {GOOD: 0, BAD: 0, EXCLUDED: 0})
        counts[kind] += count
    return {
        key: (sum(c.values()), c[GOOD], c[BAD], c[EXCLUDED])
        for key, c in out.items()
        if any(c.values())
    }


def case_band(column: str, bounds: tuple, literal) -> str:
    """CASE giving the band index of `column`; literal(minutes) writes a bound in SQL."""
    whens = " ".join(
        f"WHEN {column} < {literal(upper)} THEN {index}" for index, upper in enumerate(bounds[1:])
    )
    return f"CASE {whens} ELSE {len(bounds) - 1} END"


def floor_sql(variant: str = "width_bucket") -> str:
    """One statement giving (window, wait band, service band, class, count) of the hall's
    completed rated visits served between two days: params (hall id, start, end).

    PostgreSQL, two ways (the bench times both; the faster is the floor): width_bucket over
    the times' exact epoch (numeric: a cast to float8 measured slower), or CASE over the
    intervals computed once in a subquery (OFFSET 0 keeps it from being flattened)."""
    if connection.vendor == "postgresql" and variant == "width_bucket":
        waits = ",".join(str(minutes * 60) for minutes in WAIT_BANDS[1:])
        services = ",".join(str(minutes * 60) for minutes in SERVICE_BANDS[1:])
        return f"""
SELECT v.window_id,
       width_bucket(extract(epoch FROM COALESCE(v.called_at, v.started_at) - v.issued_at),
                    ARRAY[{waits}]::numeric[]),
       width_bucket(extract(epoch FROM v.finished_at - v.started_at), ARRAY[{services}]::numeric[]),
       CASE WHEN r.excluded <> '' THEN 'x' WHEN r.level >= 3 THEN 'g' ELSE 'b' END,
       count(*)
FROM windows_visit v JOIN evaluations_rating r ON r.visit_id = v.id
WHERE v.hall_id = %s AND v.service_date BETWEEN %s AND %s AND v.status = 'completed'
GROUP BY 1, 2, 3, 4"""
    if connection.vendor == "postgresql":

        def interval_band(column: str, bounds: tuple) -> str:
            return case_band(column, bounds, lambda upper: f"interval '{upper} minutes'")

        return f"""
SELECT window_id, {interval_band("w", WAIT_BANDS)}, {interval_band("s", SERVICE_BANDS)}, k, count(*)
FROM (
  SELECT v.window_id, COALESCE(v.called_at, v.started_at) - v.issued_at AS w,
         v.finished_at - v.started_at AS s,
         CASE WHEN r.excluded <> '' THEN 'x' WHEN r.level >= 3 THEN 'g' ELSE 'b' END AS k
  FROM windows_visit v JOIN evaluations_rating r ON r.visit_id = v.id
  WHERE v.hall_id = %s AND v.service_date BETWEEN %s AND %s AND v.status = 'completed'
  OFFSET 0
) AS t
GROUP BY 1, 2, 3, 4"""

    # SQLite: whole microseconds (the stored text 'YYYY-MM-DD HH:MM:SS[.ffffff]'): the seconds
    # from unixepoch(), the fraction from characters 21-26; then the bands by CASE.
    def micro(later: str, earlier: str) -> str:
        return (
            f"((unixepoch({later}) - unixepoch({earlier})) * 1000000"
            f" + CAST(substr({later}, 21, 6) AS INTEGER)"
            f" - CAST(substr({earlier}, 21, 6) AS INTEGER))"
        )

    def band(column: str, bounds: tuple) -> str:
        return case_band(column, bounds, lambda upper: str(upper * 60_000_000))

    return f"""
SELECT window_id, {band("w", WAIT_BANDS)}, {band("s", SERVICE_BANDS)}, k, count(*)
FROM (
  SELECT v.window_id,
         {micro("COALESCE(v.called_at, v.started_at)", "v.issued_at")} AS w,
         {micro("v.finished_at", "v.started_at")} AS s,
         CASE WHEN r.excluded <> '' THEN 'x' WHEN r.level >= 3 THEN 'g' ELSE 'b' END AS k
  FROM windows_visit v JOIN evaluations_rating r ON r.visit_id = v.id
  WHERE v.hall_id = %s AND v.service_date BETWEEN %s AND %s AND v.status = 'completed'
)
GROUP BY 1, 2, 3, 4"""


def floor_counts(hall: Hall, start: date, end: date, variant: str = "width_bucket") -> dict:
    with connection.cursor() as cursor:
        cursor.execute(floor_sql(variant), [hall.pk, start, end])
        return _cells_from_classes(cursor.fetchall())


def _range_q(name: str, bounds: tuple, index: int) -> Q:
    """The band's half-open range on the alias; the first band also takes negative times,
    the last is open-ended."""
    q = Q()
    if index > 0:
        q &= Q(**{f"{name}__gte": timedelta(minutes=bounds[index])})
    if index < len(bounds) - 1:
        q &= Q(**{f"{name}__lt": timedelta(minutes=bounds[index + 1])})
    return q


CLASS_Q = {
    GOOD: rules.good_q("rating__"),
    BAD: rules.bad_q("rating__"),
    EXCLUDED: rules.excluded_q("rating__"),
}


def alternative_queryset(hall: Hall, start: date, end: date):
    """Django's conditional aggregation (docs: ref/models/conditional-expressions,
    "Conditional aggregation"), tuned as the docs say: alias() for the two times (used in
    filters only, never selected), values("window") then annotate() for the GROUP BY,
    order_by() cleared, the visit_hall_day index on the WHERE (checked with explain())."""
    counts = {
        f"w{w}_s{s}_{k}": Count(
            "pk",
            filter=_range_q("waited", WAIT_BANDS, w) & _range_q("served", SERVICE_BANDS, s) & q,
        )
        for w in range(len(WAIT_BANDS))
        for s in range(len(SERVICE_BANDS))
        for k, q in CLASS_Q.items()
    }
    return (
        Visit.objects.filter(
            hall=hall,
            service_date__range=(start, end),
            status=Visit.Status.COMPLETED,
            rating__isnull=False,
        )
        .alias(
            waited=ExpressionWrapper(
                Coalesce("called_at", "started_at") - F("issued_at"), output_field=DurationField()
            ),
            served=ExpressionWrapper(
                F("finished_at") - F("started_at"), output_field=DurationField()
            ),
        )
        .values("window")
        .order_by()
        .annotate(**counts)
    )


def alternative_counts(hall: Hall, start: date, end: date) -> dict:
    rows = []
    for row in alternative_queryset(hall, start, end):
        for name, count in row.items():
            if name == "window" or not count:
                continue
            wait, service, kind = name.split("_")
            rows.append((row["window"], int(wait[1:]), int(service[1:]), kind, count))
    return _cells_from_classes(rows)


def ours_counts(hall: Hall, start: date, end: date) -> dict:
    return as_cells(grouped_counts(WaitingFilters(hall=hall, start=start, end=end).visits()))


# --- the surge's arrivals -----------------------------------------------------------------


def surge_floor_sql() -> str:
    """(local day, slot, category, items) of the hall's not-abandoned visits issued on the
    days: params (hall id, days). The zone's offset is fixed (+8: Asia/Shanghai has had no
    daylight saving since 1991); ours asks the database for the zone's rules."""
    if connection.vendor == "postgresql":
        return """
SELECT (issued_at AT TIME ZONE 'Asia/Shanghai')::date,
       floor(extract(epoch FROM (issued_at AT TIME ZONE 'Asia/Shanghai')::time) / 900)::int,
       category_id, sum(item_count)
FROM windows_visit
WHERE hall_id = %s AND service_date = ANY(%s) AND status <> 'abandoned'
GROUP BY 1, 2, 3"""
    return """
SELECT date(issued_at, '+8 hours'),
       (CAST(strftime('%%H', issued_at, '+8 hours') AS INTEGER) * 4
        + CAST(strftime('%%M', issued_at, '+8 hours') AS INTEGER) / 15),
       category_id, sum(item_count)
FROM windows_visit
WHERE hall_id = %s AND service_date IN ({}) AND status <> 'abandoned'
GROUP BY 1, 2, 3"""


def surge_floor_counts(hall: Hall, days: list[date]) -> dict:
    """arrival_counts' shape: {(day, category): [items per slot]}, the days' arrivals only."""
    from reports.surge.predictor import SLOTS_PER_DAY

    sql = surge_floor_sql()
    if connection.vendor == "postgresql":
        params = [hall.pk, list(days)]
    else:
        sql = sql.format(", ".join(["%s"] * len(days)))
        params = [hall.pk, *days]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    wanted = set(days)
    counts: dict = {}
    for day, slot, category, items in rows:
        day = day if isinstance(day, date) else date.fromisoformat(day)
        if day not in wanted:
            continue
        counts.setdefault((day, category), [0] * SLOTS_PER_DAY)[int(slot)] += items
    return counts


# --- measuring ----------------------------------------------------------------------------


def timed(function, repeat: int, warm: bool = True) -> dict:
    if warm:
        function()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return {"median_s": round(statistics.median(times), 4), "min_s": round(min(times), 4)}


def _captured_sql(function):
    """The (sql, params) of the one query `function` sends (ours' grouped scan)."""
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        function()
    return seen


def explain(sql: str, params) -> str:
    prefix = (
        "EXPLAIN (ANALYZE, BUFFERS)" if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"{prefix} {sql}", params)
        return "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())


def without_jit(function, *args):
    """PostgreSQL's JIT off for one call (its docs: JIT pays off for long analytical
    queries; the alternative's 144 aggregates cross its cost threshold)."""
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    try:
        return function(*args)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET jit")


def prepare(fresh: bool) -> Hall:
    from django.core.management import call_command

    from evaluations.rollups import rollups_rebuild

    if connection.vendor == "postgresql":
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            exists = c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [NAME]).fetchone()
            if fresh and exists:
                c.execute(f"DROP DATABASE {NAME} WITH (FORCE)")
            if fresh or not exists:
                c.execute(f"CREATE DATABASE {NAME}")
    elif fresh and os.path.exists(f"/tmp/{NAME}.sqlite3"):
        os.remove(f"/tmp/{NAME}.sqlite3")
    call_command("migrate", verbosity=0)
    hall = Hall.objects.filter(code=CODE).first()
    if hall is None:
        started = time.perf_counter()
        hall = generate_hall()
        written = time.perf_counter() - started
        rollups_rebuild(hall_ids=[hall.pk])
        rolled = time.perf_counter() - started - written
        print(f"generated in {written:.1f} s, rollups in {rolled:.1f} s")
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("VACUUM ANALYZE windows_visit")
                cursor.execute("VACUUM ANALYZE evaluations_rating")
            else:
                cursor.execute("ANALYZE")
    return hall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=sorted(URLS), default="postgres")
    parser.add_argument("--fresh", action="store_true", help="drop and generate the hall again")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--slow-repeat", type=int, default=1, help="calls of the year's alternative on SQLite"
    )
    parser.add_argument("--json", default=os.path.join(ROOT, "bench", "results-waiting-surge.json"))
    options = parser.parse_args()
    from reports.surge.selectors import arrival_basis, arrival_counts, history_days
    from reports.surge.services import surge_state

    uptime_before = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    begun = datetime.now(UTC)
    hall = prepare(options.fresh)
    visits = Visit.objects.filter(hall=hall).count()
    rated = Rating.objects.filter(visit__hall=hall).count()
    result = {
        "database": connection.vendor,
        "started_utc": begun.isoformat(timespec="seconds"),
        "uptime_before": uptime_before,
        "visits": visits,
        "ratings": rated,
        "repeat": options.repeat,
        "slow_repeat_sqlite_year_alternative": options.slow_repeat,
        "waiting": {},
        "surge": {},
    }
    table = []
    for label, (start, end) in (("year 2020", YEAR), ("September 2020", MONTH)):
        filters = WaitingFilters(hall=hall, start=start, end=end)
        slow_case = connection.vendor == "sqlite" and (end - start).days > 60
        slow = options.slow_repeat
        ours = ours_counts(hall, start, end)
        floor = floor_counts(hall, start, end)
        alternative = alternative_counts(hall, start, end)
        assert ours == floor, "floor differs from ours"
        assert ours == alternative, "alternative differs from ours"
        if connection.vendor == "postgresql":
            assert ours == floor_counts(hall, start, end, "interval"), "interval floor differs"
        report = waiting_bands(filters)
        assert report.totals.rated == sum(c[0] for c in ours.values())
        (sql, params), *_rest = _captured_sql(lambda f=filters: grouped_counts(f.visits()))

        def ours_sql(sql=sql, params=params):
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        alt_qs = alternative_queryset(hall, start, end)
        figures = {
            "groups": len(ours),
            "rated": report.totals.rated,
            "bad": report.totals.bad,
            "excluded": report.totals.excluded,
            "ours waiting_bands()": timed(lambda f=filters: waiting_bands(f), options.repeat),
            "ours grouped_counts()": timed(
                lambda f=filters: grouped_counts(f.visits()), options.repeat
            ),
            "ours SQL alone": timed(ours_sql, options.repeat),
            "floor SQL": timed(lambda s=start, e=end: floor_counts(hall, s, e), options.repeat),
            **(
                {
                    "floor SQL (interval CASE)": timed(
                        lambda s=start, e=end: floor_counts(hall, s, e, "interval"),
                        options.repeat,
                    )
                }
                if connection.vendor == "postgresql"
                else {}
            ),
            # On SQLite a year of it takes minutes (Django's Python duration function per
            # row and per aggregate): --slow-repeat calls, warmed by the check above.
            "alternative ORM": timed(
                lambda s=start, e=end: alternative_counts(hall, s, e),
                slow if slow_case else options.repeat,
                warm=not slow_case,
            ),
            **(
                {
                    "alternative ORM, jit off": timed(
                        lambda s=start, e=end: without_jit(alternative_counts, hall, s, e),
                        options.repeat,
                    )
                }
                if connection.vendor == "postgresql"
                else {}
            ),
            "explain ours": explain(sql, params),
            "explain floor": explain(floor_sql(), [hall.pk, start, end]),
            "explain alternative": alt_qs.explain(),
        }
        result["waiting"][label] = figures
        table += [
            (f"waiting {label}", name, figures[name])
            for name in figures
            if isinstance(figures[name], dict)
        ]
    days = [*history_days(hall=hall, today=SURGE_NOW.date()), SURGE_NOW.date()]
    basis = arrival_basis(hall)
    ours_arrivals = arrival_counts(hall=hall, days=days, basis=basis)
    floor_arrivals = surge_floor_counts(hall, days)
    assert ours_arrivals == floor_arrivals, "surge floor differs from ours"
    state = surge_state(hall=hall, now=SURGE_NOW)
    surge = {
        "now": SURGE_NOW.isoformat(),
        "days": [d.isoformat() for d in days],
        "basis": basis,
        "arrivals": sum(sum(v) for v in ours_arrivals.values()),
        "projection_mid": round(state.projection.mid) if state.projection else None,
        "capacity": round(state.capacity),
        "levels": state.levels,
        "ours surge_state()": timed(lambda: surge_state(hall=hall, now=SURGE_NOW), options.repeat),
        "ours arrival_counts()": timed(
            lambda: arrival_counts(hall=hall, days=days, basis=basis), options.repeat
        ),
        "floor SQL (arrivals)": timed(lambda: surge_floor_counts(hall, days), options.repeat),
    }
    result["surge"] = surge
    table += [
        ("surge 2020-11-18 10:15", name, surge[name])
        for name in surge
        if isinstance(surge[name], dict)
    ]
    result["finished_utc"] = datetime.now(UTC).isoformat(timespec="seconds")
    result["uptime_after"] = subprocess.run(
        ["uptime"], capture_output=True, text=True
    ).stdout.strip()
    print(f"{connection.vendor}: {visits} visits, {rated} ratings; {uptime_before}")
    print("| case | variant | median s | min s |\n|---|---|---|---|")
    for case, name, figures in table:
        print(f"| {case} | {name} | {figures['median_s']:.4f} | {figures['min_s']:.4f} |")
    stored = {}
    if os.path.exists(options.json):
        with open(options.json, encoding="utf-8") as stream:
            stored = json.load(stream)
    stored[connection.vendor] = result
    with open(options.json, "w", encoding="utf-8") as stream:
        json.dump(stored, stream, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()

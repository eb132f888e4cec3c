"""The seed's peak day (1,404 items, 23 windows) played through the queue's services.

python bench/queue_peak_day.py [--seed 20200810] [--items 1404] [--markdown FILE]

Runs tests/windows/queue_simulation.py (the simulation tests/windows/test_queue_peak_day.py
checks) in a throw-away test database (SQLite in memory, or PostgreSQL when DATABASE_URL
says so) and prints the queue length every 30 minutes per business category, the mean and
90th-percentile wait (issued -> called) per category, the visits and items, and whether
every visit's waiting time in the database equals the simulated one.
"""

import argparse
import os
import statistics
import sys
import time

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hall.settings.test")
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from reports.selectors.queue import queue_figures  # noqa: E402
from tests.windows.queue_simulation import (  # noqa: E402
    PEAK_ITEMS,
    SEED,
    clock,
    percentile_90,
    simulate,
)
from windows.models import Hall, Visit  # noqa: E402


def minutes(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 60:.1f}"


def report(result, elapsed: float) -> list[str]:
    prefixes = list(result.categories)
    lines = [
        f"Peak day {result.day}: hall {result.hall.code}, 23 windows, "
        f"simulated in {elapsed:.1f} s on {connection.vendor}.",
        "",
        "Queue length (tickets waiting) every 30 minutes:",
        "",
        "| time | " + " | ".join(f"{p} {result.categories[p]}" for p in prefixes) + " | all |",
        "|---" * (len(prefixes) + 2) + "|",
    ]
    for at, model, _db in result.samples:
        counts = [model[p] for p in prefixes]
        lines.append(f"| {clock(at)} | " + " | ".join(map(str, counts)) + f" | {sum(counts)} |")
    lines += [
        "",
        "Waiting time (issued -> called), minutes, of the completed visits of each category:",
        "",
        "| category | tickets | completed | transferred on | no-shows | items | mean wait"
        " | p90 wait | max wait |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    everyone = []
    for prefix in prefixes:
        tickets = [t for t in result.tickets if t.category == prefix]
        waits = [t.wait for t in tickets if t.outcome == Visit.Status.COMPLETED]
        everyone += waits
        by = {outcome: 0 for outcome in ("completed", "transferred", "no_show")}
        for ticket in tickets:
            by[ticket.outcome] += 1
        items = sum(
            t.citizen.legs[t.leg].items for t in tickets if t.outcome == Visit.Status.COMPLETED
        )
        lines.append(
            f"| {prefix} {result.categories[prefix]} | {len(tickets)} | {by['completed']}"
            f" | {by['transferred']} | {by['no_show']} | {items}"
            f" | {minutes(statistics.fmean(waits))} | {minutes(percentile_90(waits))}"
            f" | {minutes(max(waits))} |"
        )
    completed = [t for t in result.tickets if t.outcome == Visit.Status.COMPLETED]
    items = sum(t.citizen.legs[t.leg].items for t in completed)
    lines.append(
        f"| all | {len(result.tickets)} | {len(completed)} | "
        f"{sum(t.outcome == 'transferred' for t in result.tickets)} | "
        f"{sum(t.outcome == 'no_show' for t in result.tickets)} | {items}"
        f" | {minutes(statistics.fmean(everyone))} | {minutes(percentile_90(everyone))}"
        f" | {minutes(max(everyone))} |"
    )
    stored = {
        pk: (called - issued).total_seconds()
        for pk, issued, called in Visit.objects.filter(hall=result.hall).values_list(
            "pk", "issued_at", "called_at"
        )
    }
    same = all(stored[t.visit_id] == t.wait for t in result.tickets)
    priority = sum(t.lane == Visit.Lane.PRIORITY for t in result.tickets)
    appointments = sum(t.lane == Visit.Lane.APPOINTMENT for t in result.tickets)
    recalled = sum(t.recalls > 0 for t in result.tickets)
    last = max(t.ended or t.started for t in result.tickets)
    lines += [
        "",
        f"Visits: {len(result.tickets)} tickets at windows ({len(completed)} completed, "
        f"{items} items); {priority} priority tickets, {appointments} appointments, "
        f"{recalled} recalled; the last citizen left at {clock(last)}.",
        f"Calls against the rule: {len(result.skipped)}. Waiting times stored = simulated: "
        f"{'yes' if same else 'NO'} ({len(stored)} visits). Queue counts of the database = "
        f"the model's at every sample: "
        f"{'yes' if all(m == d for _t, m, d in result.samples) else 'NO'}.",
    ]
    report_rows = queue_figures(hall=result.hall, start=result.day, end=result.day)
    lines += [
        "",
        "The same day as reports.selectors.queue computes it from the database (completed"
        " tickets' waits, minutes):",
        "",
        "| category | tickets | visits | no-shows | no-show rate | mean wait | p90 wait"
        " | mean service |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in [*report_rows.categories, report_rows.hall]:
        lines.append(
            f"| {row.key} {row.label} | {row.tickets} | {row.visits} | {row.no_shows}"
            f" | {row.no_show_rate_pct}% | {row.mean_wait_minutes} | {row.p90_wait_minutes}"
            f" | {row.mean_service_minutes} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--items", type=int, default=PEAK_ITEMS)
    parser.add_argument("--markdown", help="also write the figures to this file")
    options = parser.parse_args()
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        hall = Hall.objects.create(code="PK01", name="高峰日大厅", district="六合区")
        started = time.perf_counter()
        result = simulate(hall, seed=options.seed, items=options.items)
        lines = report(result, time.perf_counter() - started)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print("\n".join(lines))
    if options.markdown:
        with open(options.markdown, "w", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

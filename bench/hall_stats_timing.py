"""hall_stats for one hall-year in the process, without Django's start-up: best of N.

python bench/hall_stats_timing.py [YEAR] [--hall LH01] [--runs 5] [--json]
"""

import argparse
import json
import os
import sys
import time

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hall.settings.local")
django.setup()

from reports.selectors.volume import hall_volume_stats  # noqa: E402
from windows.models import Hall  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("year", nargs="?", type=int, default=2024)
parser.add_argument("--hall", default="LH01")
parser.add_argument("--runs", type=int, default=5)
parser.add_argument("--json", action="store_true")
options = parser.parse_args()

hall = Hall.objects.get(code=options.hall)
timings = []
for _ in range(options.runs):
    started = time.perf_counter()
    stats = hall_volume_stats(hall=hall, year=options.year)
    timings.append(time.perf_counter() - started)
if options.json:
    print(json.dumps({"best": round(min(timings), 4), "runs": [round(t, 4) for t in timings],
                      "visits_total": stats["visits_total"]}))  # fmt: skip
else:
    print(
        f"hall_volume_stats: best {min(timings):.3f} s of {options.runs} "
        f"({stats['visits_total']} visits)"
    )

"""hall_stats for one hall-year in the process, without Django's start-up: best of 5."""

import os
import sys
import time

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hall.settings.local")
django.setup()

from reports.selectors.volume import hall_volume_stats  # noqa: E402
from windows.models import Hall  # noqa: E402

hall = Hall.objects.get(code="LH01")
timings = []
for _ in range(5):
    started = time.perf_counter()
    stats = hall_volume_stats(hall=hall, year=int(sys.argv[1]) if len(sys.argv) > 1 else 2024)
    timings.append(time.perf_counter() - started)
print(f"hall_volume_stats: best {min(timings):.3f} s of 5 ({stats['visits_total']} visits)")

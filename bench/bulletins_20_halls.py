"""Build the daily bulletins of 20 halls for one busy day (bench/README.md).

Sets up 19 halls beside the demo hall LH01 (windows, staff and about 1,000 visits on the
day each) when they are missing, then times bulletin_build for all 20, as the beat job does.
"""

import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hall.settings.local")
django.setup()

from reports.services import bulletin_build  # noqa: E402
from windows.models import Hall, Visit, Window, Zone  # noqa: E402

DAY = date(2024, 6, 3)
SHANGHAI = ZoneInfo("Asia/Shanghai")
VISITS_PER_HALL = 1000


def ensure_hall(number: int) -> Hall:
    hall, created = Hall.objects.get_or_create(
        code=f"B{number:02d}", defaults={"name": f"基准测试大厅{number:02d}"}
    )
    if created:
        zone = Zone.objects.create(hall=hall, name="社保通办")
        windows = Window.objects.bulk_create(
            Window(hall=hall, number=n, name=f"{n}号窗口", zone=zone if n <= 20 else None)
            for n in range(1, 24)
        )
        rng = random.Random(number)
        visits = []
        for n in range(VISITS_PER_HALL):
            start = datetime.combine(DAY, datetime.min.time(), SHANGHAI) + timedelta(
                hours=9, seconds=n * 25
            )
            visits.append(
                Visit(
                    hall=hall,
                    ticket_no=f"A{n:04d}",
                    issued_at=start - timedelta(minutes=rng.randint(1, 40)),
                    started_at=start,
                    finished_at=start + timedelta(minutes=rng.randint(2, 25)),
                    service_date=DAY,
                    window=rng.choice(windows),
                    status=Visit.Status.COMPLETED,
                    item_count=1,
                )
            )
        Visit.objects.bulk_create(visits, batch_size=1000)
    return hall


def main() -> None:
    halls = [Hall.objects.get(code="LH01"), *(ensure_hall(n) for n in range(1, 20))]
    started = time.perf_counter()
    for hall in halls:
        bulletin_build(hall=hall, kind="daily", day=DAY)
    print(f"built {len(halls)} daily bulletins in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()

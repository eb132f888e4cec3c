"""One rule, one place (issue 9): every surface shows the same figures of one hall.

Hall HA is filled with a known day (Wednesday 15 May 2024, "today"), week (Monday 13 to
Sunday 19 May), month (May 2024) and year (2024); hall HB has other figures on the same
days, which must never leak in. The expected numbers are written out by hand below from
the decided rules (evaluations.rules, windows.rules.rounding):

- visits served = completed visits; items = items of completed visits; a visit in service
  or abandoned is in no figure; transferred and no-show visits only count as such;
- evaluation rate = rated completed / completed; good = level 3-5 not excluded, bad =
  level 1-2 not excluded; excluded = rated but neither, counted on its own; satisfaction =
  good / (rated - excluded); percentages half up with 2 decimals (the month's evaluation
  rate, 29/32 = 90.625%, is 90.63, never the banker's 90.62).

Each surface is asked for what it shows: the results pages (the live feed and the hall
page's totals), the staff console, hall_stats --json and the volume API, the dashboard's
two JSON feeds, the daily, weekly and monthly bulletins with their workbooks, and the
annual review workbook.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
from dataclasses import dataclass

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from evaluations.models import Rating
from evaluations.rollups import rollups_rebuild
from evaluations.selectors import service_figures
from reports.services import bulletin_build
from tests.windows.factories import (
    SHANGHAI,
    HallFactory,
    StaffFactory,
    VisitFactory,
    WindowFactory,
    ZoneFactory,
    make_manager,
)
from windows.models import Hall, Visit, WindowSession, Zone
from windows.services.visits import visits_abandon_stale

TODAY = dt.date(2024, 5, 15)  # a Wednesday
NOW = dt.datetime(2024, 5, 15, 10, 0, tzinfo=SHANGHAI)
WEEK = (dt.date(2024, 5, 13), dt.date(2024, 5, 19))
MONTH = (dt.date(2024, 5, 1), dt.date(2024, 5, 31))
YEAR = 2024
MAY = 5


@dataclass(frozen=True)
class Figures:
    visits: int
    items: int
    rated: int
    good: int
    bad: int
    excluded: int
    evaluation_rate_pct: float | None
    satisfaction_rate_pct: float | None
    transferred: int
    no_shows: int


# Hall HA, written out from the visits of `hall_a_filled` (see its docstring).
EXPECTED = {
    # 7 completed (14 items), 6 rated: 5, 4, 3 good; 2, 1 bad; 1 excluded; 1 unrated.
    "day": Figures(7, 14, 6, 3, 2, 1, 85.71, 60.0, 1, 1),  # 6/7; 3/5
    # + Mon 13 (4 completed, 7 items: 5, 5, 2, unrated) and Tue 14 (1 completed, 2 items: 4)
    "week": Figures(12, 23, 10, 6, 3, 1, 83.33, 66.67, 2, 2),  # 10/12; 6/9
    # + Tue 7 (10 completed, 10 items: 8 x 5, 1, unrated) and Sat 11 (10 completed, 20
    # items: 7 x 4, 3, 2, 5 excluded as mistaken)
    "month": Figures(32, 53, 29, 22, 5, 2, 90.63, 81.48, 3, 3),  # 29/32; 22/27
    # + Tue 30 April (3 completed, 6 items: 5, 2, unrated)
    "year": Figures(35, 59, 31, 23, 6, 2, 88.57, 79.31, 3, 4),  # 31/35; 23/29
}
SPANS = {
    "day": (TODAY, TODAY),
    "week": WEEK,
    "month": MONTH,
    "year": (dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)),
}
BULLETIN_PERIODS = {"daily": "day", "weekly": "week", "monthly": "month"}
COMPLETED = Visit.Status.COMPLETED


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    """Every "now" and "today" of the portal is NOW (timezone.localdate() reads now() too)."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@dataclass
class Filled:
    staff_user: object
    manager: object
    bad_ratings: dict[str, list[Rating]]  # period -> the bad reviews (not the excluded one)
    excluded: Rating


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI) + dt.timedelta(minutes=minute)


class _Visits:
    """Visits of one hall with tickets numbered in order; each is served for 8 minutes."""

    def __init__(self, hall):
        self.hall = hall
        self.tickets = 0

    def add(self, window, staff, day, hour, minute=0, *, status=COMPLETED, items=1, **kwargs):
        self.tickets += 1
        started_at = _at(day, hour, minute)
        finished_at = started_at + dt.timedelta(minutes=8)
        if status in (Visit.Status.NO_SHOW, Visit.Status.IN_SERVICE):
            finished_at = None
        return VisitFactory(
            hall=self.hall,
            window=window,
            staff=staff,
            ticket_no=f"{self.hall.code}{self.tickets:03d}",
            service_date=day,
            started_at=started_at,
            finished_at=finished_at,
            status=status,
            item_count=items,
            **kwargs,
        )


def rate(visit, level, *, excluded="", reasons=(), comment="", phone=""):
    return Rating.objects.create(
        visit=visit,
        level=level,
        rated_at=visit.finished_at + dt.timedelta(seconds=20),
        source=Rating.Source.TABLET,
        excluded=excluded,
        reasons=list(reasons),
        comment=comment,
        callback_phone=phone,
    )


def _fill_hall_b():
    """Hall HB: other figures on the same days (all bad on the day), never in HA's."""
    hall_b = HallFactory(code="HB", name="乙大厅")
    window = WindowFactory(hall=hall_b, number=1, name="乙1号窗口")
    staff = StaffFactory(hall=hall_b, badge_no="HB01", display_name="丙")
    visits = _Visits(hall_b)
    rate(visits.add(window, staff, TODAY, 9, items=5), 1, comment="乙厅差评")
    rate(visits.add(window, staff, TODAY, 9, 20, items=5), 2, comment="乙厅差评")
    visits.add(window, staff, TODAY, 9, 40, status=Visit.Status.NO_SHOW)
    rate(visits.add(window, staff, WEEK[0], 10, items=3), 5)
    visits.add(window, staff, dt.date(2024, 5, 7), 10, items=4)
    rate(visits.add(window, staff, dt.date(2024, 4, 30), 10, items=6), 1)
    rate(visits.add(window, staff, dt.date(2023, 5, 15), 10, items=2), 1)


@pytest.fixture
def hall_a_filled(db) -> Filled:
    """Hall HA (window 1 in a general zone, window 2 a specialist one; 甲 and 乙).

    Today, Wed 15 May, all by 甲 at window 1 (signed in since 8:00): completed visits of
    3, 2, 1, 1, 2, 1 and 4 items rated 5, 4, 3, 2 (bad), 1 (bad, served 7:50, before
    midnight UTC), 1 (excluded as malicious) and not rated; one transferred, one no-show,
    and one in service now (2 items, no finish time).
    Mon 13 May, 乙 at window 2: 4 completed of 1, 2, 1, 3 items rated 5, 5, 2 (bad), none;
    one no-show. Tue 14 May: 1 completed of 2 items rated 4; one transferred; one of 5 items
    left in service and abandoned by the nightly job.
    Tue 7 May, 甲 at window 1: 10 completed of 1 item, rated 5 (8), 1 (bad), none; one
    no-show. Sat 11 May (a make-up working day, the week before): 乙 at window 2, 10
    completed of 2 items rated 4 (7), 3, 2 (bad) and 5 excluded as mistaken; one
    transferred. Tue 30 April: 甲 at window 1, 3 completed of 2 items rated 5, 2 (bad),
    none; one no-show.
    """
    hall = HallFactory(code="HA", name="甲大厅")
    general = ZoneFactory(hall=hall, name="社保通办", kind=Zone.Kind.GENERAL)
    specialist = ZoneFactory(hall=hall, name="专业窗口", kind=Zone.Kind.SPECIALIST)
    window_1 = WindowFactory(hall=hall, number=1, name="社保通办1号窗口", zone=general)
    window_2 = WindowFactory(hall=hall, number=2, name="失业特殊业务2号窗口", zone=specialist)
    jia = StaffFactory(hall=hall, badge_no="A001", display_name="甲")
    yi = StaffFactory(hall=hall, badge_no="A002", display_name="乙")
    visits = _Visits(hall)
    bad: dict[str, list[Rating]] = {"day": [], "week": [], "month": [], "year": []}

    # Today
    WindowSession.objects.create(window=window_1, staff=jia, started_at=_at(TODAY, 8))
    rate(visits.add(window_1, jia, TODAY, 8, 10, items=3), 5)
    rate(visits.add(window_1, jia, TODAY, 8, 20, items=2), 4)
    rate(visits.add(window_1, jia, TODAY, 8, 30), 3)
    bad["day"].append(
        rate(
            visits.add(window_1, jia, TODAY, 8, 40),
            2,
            reasons=["long_wait"],
            comment="等了很久",
        )
    )
    bad["day"].append(
        rate(
            visits.add(window_1, jia, TODAY, 7, 50, items=2),
            1,
            reasons=["attitude"],
            comment="态度不好",
            phone="13912345678",
        )
    )
    excluded = rate(
        visits.add(window_1, jia, TODAY, 8, 50),
        1,
        excluded=Rating.Exclusion.MALICIOUS,
        comment="恶意差评",
    )
    visits.add(window_1, jia, TODAY, 9, 0, items=4)
    visits.add(window_1, jia, TODAY, 9, 10, status=Visit.Status.TRANSFERRED)
    visits.add(window_1, jia, TODAY, 9, 20, status=Visit.Status.NO_SHOW)
    visits.add(window_1, jia, TODAY, 9, 55, status=Visit.Status.IN_SERVICE, items=2)

    # The rest of the week
    monday, tuesday = WEEK[0], WEEK[0] + dt.timedelta(days=1)
    rate(visits.add(window_2, yi, monday, 9), 5)
    rate(visits.add(window_2, yi, monday, 9, 10, items=2), 5)
    bad["week"].append(
        rate(visits.add(window_2, yi, monday, 9, 20), 2, reasons=["notification"], comment="周一")
    )
    visits.add(window_2, yi, monday, 9, 30, items=3)
    visits.add(window_2, yi, monday, 9, 40, status=Visit.Status.NO_SHOW)
    rate(visits.add(window_2, yi, tuesday, 9, items=2), 4)
    visits.add(window_2, yi, tuesday, 9, 10, status=Visit.Status.TRANSFERRED)
    visits.add(window_2, yi, tuesday, 16, status=Visit.Status.IN_SERVICE, items=5)
    assert visits_abandon_stale(now=NOW, hall=hall) == 1

    # The rest of the month
    seventh, eleventh = dt.date(2024, 5, 7), dt.date(2024, 5, 11)
    for minute in range(8):
        rate(visits.add(window_1, jia, seventh, 9, minute * 10), 5)
    bad["month"].append(
        rate(visits.add(window_1, jia, seventh, 11), 1, reasons=["other"], comment="五月七日")
    )
    visits.add(window_1, jia, seventh, 11, 10)
    visits.add(window_1, jia, seventh, 11, 20, status=Visit.Status.NO_SHOW)
    for minute in range(7):
        rate(visits.add(window_2, yi, eleventh, 9, minute * 10, items=2), 4)
    rate(visits.add(window_2, yi, eleventh, 11, items=2), 3)
    bad["month"].append(
        rate(visits.add(window_2, yi, eleventh, 11, 10, items=2), 2, comment="五月十一日")
    )
    rate(
        visits.add(window_2, yi, eleventh, 11, 20, items=2),
        5,
        excluded=Rating.Exclusion.MISTAKEN,
    )
    visits.add(window_2, yi, eleventh, 11, 30, status=Visit.Status.TRANSFERRED)

    # The rest of the year
    april_30 = dt.date(2024, 4, 30)
    rate(visits.add(window_1, jia, april_30, 16, items=2), 5)
    bad["year"].append(rate(visits.add(window_1, jia, april_30, 16, 10, items=2), 2))
    visits.add(window_1, jia, april_30, 16, 20, items=2)
    visits.add(window_1, jia, april_30, 16, 30, status=Visit.Status.NO_SHOW)

    _fill_hall_b()
    rollups_rebuild()  # the factories write visits and ratings without the services
    bad["week"] += bad["day"]
    bad["month"] += bad["week"]
    bad["year"] += bad["month"]
    return Filled(
        staff_user=jia.user,
        manager=make_manager(hall, "manager_ha"),
        bad_ratings=bad,
        excluded=excluded,
    )


# --- helpers -------------------------------------------------------------------------


def _pct_text(pct: float | None) -> str:
    return "—" if pct is None else f"{pct:.2f}%"


def _fraction(pct: float | None) -> float | None:
    return None if pct is None else round(pct / 100, 6)


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _by_id(page: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(div|p|dd|tr)>', page, re.S)
    assert match, f"no #{element_id} on the page"
    return _text(match.group(1))


def _cells(row_html: str) -> dict[str, str]:
    """The figure cells of a results table row, by their fig-* class."""
    cells = re.findall(r'<td class="[^"]*\b(fig-[\w-]+)">(.*?)</td>', row_html, re.S)
    return {name: _text(value) for name, value in cells}


def _bad_review_row(rating: Rating) -> tuple:
    visit = rating.visit
    return (
        str(visit.window),
        visit.staff.display_name,
        str(rating.get_level_display()),
        rating.comment,
    )


# --- the one definition, as a baseline -------------------------------------------------


@pytest.mark.parametrize("period", list(EXPECTED))
def test_the_figures_of_the_rules_are_the_expected_ones(hall_a_filled, period):
    start, end = SPANS[period]
    visits = Visit.objects.filter(hall__code="HA", service_date__range=(start, end))

    figures = service_figures(visits)

    got = Figures(**{name: getattr(figures, name) for name in Figures.__dataclass_fields__})
    assert got == EXPECTED[period]
    assert figures.historical_bad == 0


# --- the results pages -----------------------------------------------------------------


def test_the_results_live_feed(client, english, hall_a_filled):
    expected = EXPECTED["day"]
    client.force_login(hall_a_filled.manager)

    data = client.get(reverse("results-live"), {"hall": "HA"}).json()

    assert data["date"] == TODAY.isoformat()
    totals = data["totals"]
    assert {
        name: totals[name] for name in ("visits", "items", "rated", "good", "bad", "excluded")
    } == {
        "visits": expected.visits,
        "items": expected.items,
        "rated": expected.rated,
        "good": expected.good,
        "bad": expected.bad,
        "excluded": expected.excluded,
    }
    assert (totals["evaluation_rate_pct"], totals["satisfaction_rate_pct"]) == (
        expected.evaluation_rate_pct,
        expected.satisfaction_rate_pct,
    )
    # the windows add up to the totals: window 1 had the whole day, window 2 nothing
    assert [
        (w["number"], w["visits"], w["items"], w["rated"], w["bad"]) for w in data["windows"]
    ] == [
        (1, 7, 14, 6, 2),
        (2, 0, 0, 0, 0),
    ]
    assert [review["id"] for review in data["bad_reviews"]] == sorted(
        (r.pk for r in hall_a_filled.bad_ratings["day"]),
        key=lambda pk: -Rating.objects.get(pk=pk).rated_at.timestamp(),
    )
    assert hall_a_filled.excluded.pk not in [review["id"] for review in data["bad_reviews"]]


@pytest.mark.parametrize("period", ["day", "week", "month"])
def test_the_results_hall_page_totals(client, english, hall_a_filled, period):
    start, end = SPANS[period]
    expected = EXPECTED[period]
    client.force_login(hall_a_filled.manager)

    page = client.get(
        reverse("results:hall"), {"hall": "HA", "start": start, "end": end}
    ).content.decode()

    if period == "day":  # today: the live block's totals (the period's table is not repeated)
        tiles = dict(re.findall(r'data-total="(\w+)"[^>]*>(.*?)</dd>', page, re.S))
        assert tiles == {
            "visits": str(expected.visits),
            "items": str(expected.items),
            "rated": str(expected.rated),
            "evaluation_rate_pct": _pct_text(expected.evaluation_rate_pct),
            "satisfaction_rate_pct": _pct_text(expected.satisfaction_rate_pct),
            "bad": str(expected.bad),
        }
        return
    row = re.search(r'id="window-totals">(.*?)</tr>', page, re.S).group(1)
    assert _cells(row) == {
        "fig-visits": str(expected.visits),
        "fig-items": str(expected.items),
        "fig-rated": str(expected.rated),
        "fig-evaluation-rate": _pct_text(expected.evaluation_rate_pct),
        "fig-satisfaction-rate": _pct_text(expected.satisfaction_rate_pct),
        "fig-bad": str(expected.bad),
    }


def test_the_results_hall_page_live_block(client, english, hall_a_filled):
    expected = EXPECTED["day"]
    client.force_login(hall_a_filled.manager)

    page = client.get(reverse("results:hall"), {"hall": "HA"}).content.decode()

    shown = dict(re.findall(r'data-total="(\w+)"[^>]*>(.*?)</dd>', page))
    assert shown == {
        "visits": str(expected.visits),
        "items": str(expected.items),
        "rated": str(expected.rated),
        "evaluation_rate_pct": _pct_text(expected.evaluation_rate_pct),
        "satisfaction_rate_pct": _pct_text(expected.satisfaction_rate_pct),
        "bad": str(expected.bad),
    }


# --- the staff console -------------------------------------------------------------------


def test_the_staff_console(client, english, hall_a_filled):
    expected = EXPECTED["day"]  # every visit of the day was 甲's
    client.force_login(hall_a_filled.staff_user)

    page = client.get(reverse("console:index")).content.decode()

    assert (
        _by_id(page, "fig-visits"),
        _by_id(page, "fig-items"),
        _by_id(page, "fig-evaluation"),
        _by_id(page, "fig-satisfaction"),
    ) == (
        str(expected.visits),
        str(expected.items),
        _pct_text(expected.evaluation_rate_pct),
        _pct_text(expected.satisfaction_rate_pct),
    )
    assert _by_id(page, "fig-others") == (
        f"{expected.rated} rated · {expected.transferred} transferred · {expected.no_shows} no-show"
        f" · {expected.excluded} excluded"
    )
    # the ratings by level are the ones that count: the excluded level 1 is not among them
    levels = {
        level: int(_by_id(page, f"rating-level-{level}").split()[-1]) for level in range(1, 6)
    }
    assert sum(levels.values()) == expected.rated - expected.excluded
    assert levels[1] + levels[2] == expected.bad


# --- hall_stats --json and the volume API (contracts.md section 3) --------------------------


def _stats_by_command() -> dict:
    out = io.StringIO()
    call_command("hall_stats", "--hall", "HA", "--year", str(YEAR), "--json", stdout=out)
    return json.loads(out.getvalue())


def _stats_by_api(client, manager) -> dict:
    client.force_login(manager)
    response = client.get(f"/api/v1/halls/HA/stats/volume/?year={YEAR}")
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("surface", ["command", "api"])
def test_the_years_volume_stats(client, hall_a_filled, surface):
    stats = (
        _stats_by_command()
        if surface == "command"
        else _stats_by_api(client, hall_a_filled.manager)
    )

    year, month = EXPECTED["year"], EXPECTED["month"]
    assert (
        stats["hall"],
        stats["year"],
        stats["visits_total"],
        stats["items_total"],
        stats["evaluation_rate_pct"],
        stats["satisfaction_rate_pct"],
    ) == ("HA", YEAR, year.visits, year.items, year.evaluation_rate_pct, year.satisfaction_rate_pct)
    months = {row["month"]: row for row in stats["months"]}
    assert (months[MAY]["visits"], months[MAY]["items"]) == (month.visits, month.items)
    assert (months[4]["visits"], months[4]["items"]) == (3, 6)
    assert stats["peak_day"] == {"date": "2024-05-11", "items": 20}
    assert stats["previous_year_items_total"] is None  # HB's 2023 visit is not HA's


def test_the_command_and_the_api_give_the_same_object(client, hall_a_filled):
    assert _stats_by_command() == _stats_by_api(client, hall_a_filled.manager)


# --- the dashboard's feeds ---------------------------------------------------------------------


def test_the_dashboard_data_feed(client, hall_a_filled):
    client.force_login(hall_a_filled.manager)

    data = client.get(reverse("dashboard-year"), {"hall": "HA", "year": YEAR}).json()

    year, month = EXPECTED["year"], EXPECTED["month"]
    totals = data["totals"]
    assert (
        totals["items_total"],
        totals["evaluation_rate_pct"],
        totals["satisfaction_rate_pct"],
    ) == (year.items, year.evaluation_rate_pct, year.satisfaction_rate_pct)
    may = data["months"][MAY - 1]
    assert (
        may["month"],
        may["items"],
        may["evaluation_rate_pct"],
        may["satisfaction_rate_pct"],
    ) == (MAY, month.items, month.evaluation_rate_pct, month.satisfaction_rate_pct)
    days = dict((row["date"], row["items"]) for row in data["daily"]["days"])
    assert days[TODAY.isoformat()] == EXPECTED["day"].items
    assert sum(items for day, items in days.items() if day >= WEEK[0].isoformat()) == (
        EXPECTED["week"].items
    )


def test_the_dashboard_today_feed_and_tiles(client, english, hall_a_filled):
    expected = EXPECTED["day"]
    client.force_login(hall_a_filled.manager)

    today = client.get(reverse("dashboard-today"), {"hall": "HA"}).json()
    page = client.get(reverse("reports:dashboard"), {"hall": "HA"}).content.decode()

    assert (
        today["date"],
        today["visits"],
        today["items"],
        today["evaluation_rate_pct"],
        today["satisfaction_rate_pct"],
    ) == (
        TODAY.isoformat(),
        expected.visits,
        expected.items,
        expected.evaluation_rate_pct,
        expected.satisfaction_rate_pct,
    )
    tiles = dict(re.findall(r'data-today="(\w+)"[^>]*>(.*?)</dd>', page))
    assert tiles == {
        "visits": str(expected.visits),
        "items": str(expected.items),
        "evaluation_rate_pct": _pct_text(expected.evaluation_rate_pct),
        "satisfaction_rate_pct": _pct_text(expected.satisfaction_rate_pct),
    }


# --- the bulletins and their workbooks ----------------------------------------------------------


def _build(kind: str):
    with translation.override("en"):
        return bulletin_build(hall=Hall.objects.get(code="HA"), kind=kind, day=TODAY)


def _summary_rows(bulletin, sheet: str = "汇总") -> list[tuple]:
    with bulletin.workbook.open("rb") as stream:
        workbook = openpyxl.load_workbook(io.BytesIO(stream.read()))
    rows = []
    for row in workbook[sheet].iter_rows(values_only=True):
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        rows.append(tuple(row))
    return rows


def _key_figures(rows: list[tuple]) -> dict:
    """The summary sheet's 项目/数值 table (the first occurrence of each label)."""
    figures: dict = {}
    start = rows.index(("项目", "数值")) + 1
    for row in rows[start:]:
        if not row or row[0] is None:
            break
        figures.setdefault(row[0], row[1])
    return figures


def _section(bulletin, title: str) -> list[tuple]:
    """The table of a section the bulletin adds (its own sheet): header first."""
    rows = _summary_rows(bulletin, title)
    first = next(
        i
        for i, row in enumerate(rows)
        if row and row[0] == title and all(v is None for v in row[1:])
    )
    table = []
    for row in rows[first + 1 :]:
        if not row or all(value is None for value in row):
            break
        table.append(tuple(value for value in row if value is not None))
    return table


@pytest.mark.parametrize("kind", list(BULLETIN_PERIODS))
def test_a_bulletins_figures(hall_a_filled, kind):
    expected = EXPECTED[BULLETIN_PERIODS[kind]]

    bulletin = _build(kind)

    hall = bulletin.figures["hall"]
    assert (bulletin.period_start, bulletin.period_end) == SPANS[BULLETIN_PERIODS[kind]]
    assert (
        hall["visits"],
        hall["items"],
        hall["evaluation_rate_pct"],
        hall["satisfaction_rate_pct"],
        hall["bad_reviews"],
        hall["no_shows"],
    ) == (
        expected.visits,
        expected.items,
        expected.evaluation_rate_pct,
        expected.satisfaction_rate_pct,
        expected.bad,
        expected.no_shows,
    )
    assert bulletin.figures["bad_reviews"]["count"] == expected.bad
    windows = bulletin.figures["windows"]
    assert sum(row["visits"] for row in windows) == expected.visits
    assert sum(row["items"] for row in windows) == expected.items


@pytest.mark.parametrize("kind", list(BULLETIN_PERIODS))
def test_a_bulletin_counts_the_excluded_rating_on_its_own(english, hall_a_filled, kind):
    expected = EXPECTED[BULLETIN_PERIODS[kind]]

    bulletin = _build(kind)

    assert (
        bulletin.figures["hall"]["excluded_ratings"],
        bulletin.figures["bad_reviews"]["excluded"],
    ) == (expected.excluded, expected.excluded)
    cases = _section(bulletin, "Cases")
    assert dict(zip(cases[0], cases[1], strict=True))["Excluded ratings"] == expected.excluded


# No-shows over the tickets that ended at a window (completed, transferred, no-show): a
# visit still in service or abandoned is in no figure, so not in this denominator either.
NO_SHOW_RATES = {"daily": 11.11, "weekly": 12.5, "monthly": 7.89}  # 1/9, 2/16, 3/38


@pytest.mark.parametrize("kind", list(NO_SHOW_RATES))
def test_a_bulletins_no_show_rate_leaves_out_visits_in_service_and_abandoned(hall_a_filled, kind):
    bulletin = _build(kind)

    assert bulletin.figures["hall"]["no_show_rate_pct"] == NO_SHOW_RATES[kind]
    assert _key_figures(_summary_rows(bulletin))["过号率"] == _fraction(NO_SHOW_RATES[kind])


@pytest.mark.parametrize("kind", list(BULLETIN_PERIODS))
def test_a_bulletin_workbooks_key_figures(hall_a_filled, kind):
    expected = EXPECTED[BULLETIN_PERIODS[kind]]

    figures = _key_figures(_summary_rows(_build(kind)))

    assert {
        label: figures[label]
        for label in ("接待人次", "办件量", "评价率", "满意率", "差评数", "过号数")
    } == {
        "接待人次": expected.visits,
        "办件量": expected.items,
        "评价率": _fraction(expected.evaluation_rate_pct),
        "满意率": _fraction(expected.satisfaction_rate_pct),
        "差评数": expected.bad,
        "过号数": expected.no_shows,
    }


@pytest.mark.parametrize("kind", list(BULLETIN_PERIODS))
def test_a_bulletin_lists_exactly_its_bad_reviews(english, hall_a_filled, kind):
    period = BULLETIN_PERIODS[kind]
    expected = sorted(_bad_review_row(rating) for rating in hall_a_filled.bad_ratings[period])

    bulletin = _build(kind)

    listed = bulletin.figures["bad_reviews"]["rows"]
    assert (
        sorted(
            (row["window_name"], row["staff_name"], row["level_label"], row["comment"])
            for row in listed
        )
        == expected
    )
    assert hall_a_filled.excluded.pk not in [row["rating_id"] for row in listed]
    table = _section(bulletin, "Bad reviews")
    assert table[0] == ("Rated at", "Window", "Staff member", "Level", "Reasons", "Comment")
    assert sorted((row[1], row[2], row[3], row[-1]) for row in table[1:]) == expected


# The bulletin page's table by window: (window, visits, items, evaluation, satisfaction, bad).
W1, W2 = "社保通办1号窗口", "失业特殊业务2号窗口"
BULLETIN_WINDOWS = {
    "daily": [(W1, "7", "14", "85.71%", "60.00%", "2")],
    "weekly": [(W1, "7", "14", "85.71%", "60.00%", "2"), (W2, "5", "9", "80.00%", "75.00%", "1")],
    "monthly": [
        (W1, "17", "24", "88.24%", "78.57%", "3"),  # 15/17; 11/14
        (W2, "15", "29", "93.33%", "84.62%", "2"),  # 14/15; 11/13
    ],
}
SATISFACTION_CARD = [
    "daily",
    "weekly",
    "monthly",
]


def _table_rows(page: str, table_id: str) -> list[tuple[str, ...]]:
    table = re.search(rf'id="{table_id}">(.*?)</table>', page, re.S).group(1)
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1)
    return [
        tuple(_text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S))
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


@pytest.mark.parametrize("kind", list(BULLETIN_PERIODS))
def test_a_bulletins_page(client, english, hall_a_filled, kind):
    period = BULLETIN_PERIODS[kind]
    expected = EXPECTED[period]
    bulletin = _build(kind)
    client.force_login(hall_a_filled.manager)

    page = client.get(reverse("bulletins:detail", args=[bulletin.pk])).content.decode()

    assert (
        _by_id(page, "sum-visits"),
        _by_id(page, "sum-items"),
        _by_id(page, "sum-bad-reviews"),
        _by_id(page, "sum-excluded"),
    ) == (
        str(expected.visits),
        str(expected.items),
        str(expected.bad),
        f"{expected.excluded} rating{'s' if expected.excluded > 1 else ''} excluded "
        "(malicious or mistaken)",
    )
    assert [row[:6] for row in _table_rows(page, "bulletin-windows")] == BULLETIN_WINDOWS[kind]
    assert sorted(
        (row[1], row[2], row[3], row[5]) for row in _table_rows(page, "bulletin-bad-reviews")
    ) == sorted(_bad_review_row(rating) for rating in hall_a_filled.bad_ratings[period])


@pytest.mark.parametrize("kind", SATISFACTION_CARD)
def test_a_bulletins_page_shows_the_satisfaction_rate_with_2_decimals(
    client, english, hall_a_filled, kind
):
    bulletin = _build(kind)
    client.force_login(hall_a_filled.manager)

    page = client.get(reverse("bulletins:detail", args=[bulletin.pk])).content.decode()

    expected = EXPECTED[BULLETIN_PERIODS[kind]].satisfaction_rate_pct
    assert _by_id(page, "sum-satisfaction") == _pct_text(expected)


# --- the annual review workbook -----------------------------------------------------------------


def test_the_annual_review_workbook(hall_a_filled, tmp_path):
    year, month = EXPECTED["year"], EXPECTED["month"]
    output = tmp_path / "annual.xlsx"

    call_command(
        "annual_review",
        "--hall",
        "HA",
        "--year",
        str(YEAR),
        "--output",
        str(output),
        stdout=io.StringIO(),
    )

    workbook = openpyxl.load_workbook(output)
    rows = list(workbook["汇总"].iter_rows(values_only=True))
    figures = {row[0]: row[1] for row in rows if row and row[0] and len(row) > 1}
    assert (
        figures["办件量（件）"],
        figures["接待人次"],
        figures["评价率"],
        figures["满意率"],
    ) == (
        year.items,
        year.visits,
        _fraction(year.evaluation_rate_pct),
        _fraction(year.satisfaction_rate_pct),
    )
    assert figures[f"{MAY}月"] == month.items  # Table 1
    assert figures["4月"] == 6
    assert figures["合计"] == year.items
    sentences = [row[0] for row in rows if row and isinstance(row[0], str)]
    assert (
        f"全年评价率{year.evaluation_rate_pct:.2f}%，满意率{year.satisfaction_rate_pct:.2f}%。"
        in sentences
    )
    assert any(f"接待办事群众{year.visits:,}人次" in sentence for sentence in sentences)
    detail = list(workbook["明细"].iter_rows(values_only=True))
    header, body = detail[0], detail[1:]
    status, items = header.index("状态"), header.index("办件数")
    completed = [row for row in body if row[status] == "已办结"]
    assert (len(completed), sum(row[items] for row in completed)) == (year.visits, year.items)

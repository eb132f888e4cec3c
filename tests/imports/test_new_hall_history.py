"""A new hall's first day (issue 12, "Done when"): its staff and two years of history in.

The system administrator creates hall GL07 in the admin (halls belong to the superuser;
nothing else is configured: no window, service item or staff card). The hall's staff file
(half of its badges) goes in with `import_staff`, then last year's export (Chinese
headers) and this year's (English headers, three bad rows) with
`import_visits --create-missing`, which creates the windows, service codes and badges it
does not know. The commands' outputs are asserted line by line, a second run of each
imports nothing and creates nothing, and the figures every surface shows (hall_stats
--json and the volume API, the hall's results page and live feed, the monthly bulletin
and its workbook) are the ones computed here, independently, from the generated rows
(tests/imports/new_hall.py). The same files uploaded by the hall's manager in the admin,
and the same rows posted by an integration to the REST API, give the same result.

"Today" is Friday 27 November 2026, 11:00 in the hall: the bad reviews of yesterday and
today open follow-up cases (due today or later); every earlier one is historical.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint
from evaluations.models import Rating
from reports.services import bulletin_build
from tests.imports import new_hall
from tests.imports.new_hall import COMPLETED, NO_SHOW, TRANSFERRED, VisitRow
from tests.reports import NO_QUEUE
from tests.windows.factories import SHANGHAI, make_manager
from windows.models import Hall, Staff, Visit, Window

TODAY = dt.date(2026, 11, 27)  # a Friday
NOW = dt.datetime(2026, 11, 27, 11, 0, tzinfo=SHANGHAI)
LAST_YEAR, THIS_YEAR = TODAY.year - 1, TODAY.year
CODE = new_hall.HALL_CODE
HISTORICAL_BEFORE = TODAY - dt.timedelta(days=1)  # a bad review of a day before is historical


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture(scope="module")
def generated():
    # ~5 visits a working day: about 2,800 rows in all
    return new_hall.generate(today=TODAY, now=dt.time(10, 0), visits_per_day=5)


# --- figures, computed from the rows ---------------------------------------------------------


def pct(part: int, whole: int) -> float | None:
    """A percentage with 2 decimals, half up (the portal's one rule, written out again)."""
    if not whole:
        return None
    value = Decimal(part) * 100 / Decimal(whole)
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def change_pct(now: int, before: int | None) -> float | None:
    if not before:
        return None
    return pct(now - before, before)


@dataclass(frozen=True)
class Figures:
    visits: int
    items: int
    rated: int
    good: int
    bad: int
    historical_bad: int
    transferred: int
    no_shows: int

    @property
    def evaluation_rate_pct(self):
        return pct(self.rated, self.visits)

    @property
    def satisfaction_rate_pct(self):
        return pct(self.good, self.rated)


def figures(rows: list[VisitRow]) -> Figures:
    done = [row for row in rows if row.status == COMPLETED]
    rated = [row for row in done if row.rating is not None]
    bad = [row for row in rated if row.rating <= 2]
    return Figures(
        visits=len(done),
        items=sum(len(row.service_codes) for row in done),
        rated=len(rated),
        good=sum(1 for row in rated if row.rating >= 3),
        bad=len(bad),
        historical_bad=sum(1 for row in bad if row.day < HISTORICAL_BEFORE),
        transferred=sum(1 for row in rows if row.status == TRANSFERRED),
        no_shows=sum(1 for row in rows if row.status == NO_SHOW),
    )


def between(rows: list[VisitRow], start: dt.date, end: dt.date) -> list[VisitRow]:
    return [row for row in rows if start <= row.day <= end]


def expected_stats(generated, year: int) -> dict:
    """contracts.md section 3, from the rows (business days are the calendar's: taken as
    given, and the daily average checked against them)."""
    rows = generated.last_year if year == LAST_YEAR else generated.this_year
    before = generated.last_year if year == THIS_YEAR else []
    year_figures = figures(rows)
    month_items = {m: figures([r for r in rows if r.day.month == m]).items for m in range(1, 13)}
    previous = {m: figures([r for r in before if r.day.month == m]).items for m in range(1, 13)}
    items_by_day = Counter()
    for row in rows:
        if row.status == COMPLETED:
            items_by_day[row.day] += len(row.service_codes)
    (peak, peak_items), (_, runner_up) = items_by_day.most_common(2)
    assert peak_items > runner_up  # one peak day, whatever the tie rule
    previous_total = figures(before).items if before else None
    return {
        "hall": CODE,
        "year": year,
        "items_total": year_figures.items,
        "visits_total": year_figures.visits,
        "previous_year_items_total": previous_total,
        "yoy_change_pct": change_pct(year_figures.items, previous_total),
        "peak_day": {"date": peak.isoformat(), "items": peak_items},
        "evaluation_rate_pct": year_figures.evaluation_rate_pct,
        "satisfaction_rate_pct": year_figures.satisfaction_rate_pct,
        "months": [
            {
                "month": month,
                "items": month_items[month],
                "visits": figures([r for r in rows if r.day.month == month]).visits,
                "previous_year_items": previous[month] if before else None,
                "mom_change_pct": None
                if month == 1
                else change_pct(month_items[month], month_items[month - 1]),
                # windows created on the fly are specialist windows: no general zone
                "general_share_pct": 0.0 if month_items[month] else None,
            }
            for month in range(1, 13)
        ],
        "queue": NO_QUEUE,  # the hall's own queue issued nothing: its figures are empty
    }


# --- the new hall, as a new hall is set up -----------------------------------------------------


def call(command: str, *args: str) -> tuple[list[str], int]:
    out = io.StringIO()
    try:
        call_command(command, *args, stdout=out)
    except SystemExit as exc:
        return out.getvalue().splitlines(), exc.code
    return out.getvalue().splitlines(), 0


def create_hall_in_the_admin(client) -> Hall:
    """The system administrator adds the hall (admin → 服务大厅 → 增加), as the README says."""
    admin = get_user_model().objects.create_superuser("root", "root@example.invalid", "x")
    client.force_login(admin)
    response = client.post(
        reverse("admin:windows_hall_add"),
        {
            "code": CODE,
            "name": new_hall.HALL_NAME,
            "district": "鼓楼区",
            "is_active": "on",
            "time_zone": "Asia/Shanghai",
            "rating_timeout_seconds": "60",
            "weekly_questionnaire_quota": "50",
            "followup_due_working_days": "1",
            "queue_recall_limit": "2",
            "display_shows_ratings": "on",
            "booking_miss_limit": "3",
            "booking_miss_days": "30",
            "booking_block_days": "30",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    client.logout()
    return Hall.objects.get(code=CODE)


@pytest.fixture
def imported(db, client, english, generated, tmp_path):
    """The hall created, its staff and both years imported: the outputs of every run."""
    hall = create_hall_in_the_admin(client)
    assert (Window.objects.count(), Staff.objects.count(), Visit.objects.count()) == (0, 0, 0)
    paths = generated.write(tmp_path)
    outputs = {
        "staff": call("import_staff", str(paths["staff"])),
        "last_year": call("import_visits", str(paths["last_year"]), "--create-missing"),
        "this_year": call("import_visits", str(paths["this_year"]), "--create-missing"),
    }
    return hall, paths, outputs


def test_the_imports_say_exactly_what_they_did_and_a_second_run_does_nothing(imported, generated):
    _hall, paths, outputs = imported
    last, this = figures(generated.last_year), figures(generated.this_year)
    n_last, n_this = len(generated.last_year), len(generated.this_year)

    assert outputs["staff"] == (
        ["departments created: 3", "imported 15, unchanged 0, rejected 0"],
        0,
    )
    assert outputs["last_year"] == (
        [
            "windows created: 20",
            "service items created: 30",
            "staff cards created (without a login): 15",
            f"historical bad reviews (deadline passed, no follow-up case): {last.bad}",
            f"imported {n_last}, unchanged 0, rejected 0",
        ],
        0,
    )
    assert outputs["this_year"] == (
        [
            *new_hall.bad_row_errors(first_row=n_this + 2),
            "windows created: 1",
            "service items created: 1",
            "staff cards created (without a login): 2",
            f"historical bad reviews (deadline passed, no follow-up case): {this.historical_bad}",
            f"imported {n_this}, unchanged 0, rejected 3",
        ],
        1,
    )

    # a second run of each imports nothing and creates nothing
    counts = (Window.objects.count(), Staff.objects.count(), Visit.objects.count())
    assert call("import_staff", str(paths["staff"])) == (
        ["imported 0, unchanged 15, rejected 0"],
        0,
    )
    assert call("import_visits", str(paths["last_year"]), "--create-missing") == (
        [f"imported 0, unchanged {n_last}, rejected 0"],
        0,
    )
    assert call("import_visits", str(paths["this_year"]), "--create-missing") == (
        [
            *new_hall.bad_row_errors(first_row=n_this + 2),
            f"imported 0, unchanged {n_this}, rejected 3",
        ],
        1,
    )
    assert (Window.objects.count(), Staff.objects.count(), Visit.objects.count()) == counts


def test_what_the_imports_stored(imported, generated):
    hall, _paths, _outputs = imported
    last, this = figures(generated.last_year), figures(generated.this_year)

    assert list(hall.windows.order_by("number").values_list("number", "zone")) == [
        (number, None) for number in (*new_hall.WINDOWS, new_hall.NEW_WINDOW)
    ]
    cards = {
        staff.badge_no: (staff.display_name, staff.email, staff.is_active, staff.user_id)
        for staff in Staff.objects.filter(hall=hall)
    }
    listed = {row.badge_no: row for row in generated.staff}
    assert cards == {
        badge: (
            (listed[badge].name, listed[badge].email, listed[badge].on_duty == "是", None)
            if badge in listed
            else (badge, "", True, None)
        )
        for badge in (*new_hall.BADGES, *new_hall.NEW_BADGES)
    }
    assert new_hall.REJECTED_BADGE not in cards
    assert Visit.objects.filter(hall=hall).count() == len(generated.last_year) + len(
        generated.this_year
    )
    ratings = Rating.objects.filter(visit__hall=hall)
    assert ratings.count() == last.rated + this.rated
    # the recent bad reviews (yesterday's and today's) opened cases; the others did not
    recent = [
        row
        for row in generated.this_year
        if row.day >= HISTORICAL_BEFORE and row.rating is not None and row.rating <= 2
    ]
    assert len(recent) == 4
    assert Complaint.objects.filter(hall=hall).count() == 4
    assert sorted(
        Complaint.objects.filter(hall=hall).values_list("rating__visit__ticket_no", flat=True)
    ) == sorted(row.ticket_no for row in recent)


# --- the figures on every surface ----------------------------------------------------------


@pytest.mark.parametrize("year", [LAST_YEAR, THIS_YEAR])
def test_hall_stats_and_the_volume_api(client, imported, generated, year):
    hall, _paths, _outputs = imported
    out = io.StringIO()
    call_command("hall_stats", "--hall", CODE, "--year", str(year), "--json", stdout=out)
    stats = json.loads(out.getvalue())
    client.force_login(make_manager(hall, "manager_gl07"))
    api = client.get(f"/api/v1/halls/{CODE}/stats/volume/?year={year}")

    assert api.status_code == 200
    assert api.json() == stats
    business_days = stats.pop("business_days")
    assert stats.pop("daily_average_items") == round(stats["items_total"] / business_days, 1)
    assert stats == expected_stats(generated, year)


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _cells(row_html: str) -> dict[str, str]:
    cells = re.findall(r'<td class="[^"]*\b(fig-[\w-]+)">(.*?)</td>', row_html, re.S)
    return {name: _text(value) for name, value in cells}


def _shown(f: Figures) -> dict[str, str]:
    def rate(value):
        return "—" if value is None else f"{value:.2f}%"

    bad = str(f.bad)
    if f.historical_bad:
        bad += f" incl. {f.historical_bad} historical, not followed up"
    return {
        "fig-visits": str(f.visits),
        "fig-items": str(f.items),
        "fig-rated": str(f.rated),
        "fig-evaluation-rate": rate(f.evaluation_rate_pct),
        "fig-satisfaction-rate": rate(f.satisfaction_rate_pct),
        "fig-bad": bad,
    }


PERIODS = {
    "last year": (dt.date(LAST_YEAR, 1, 1), dt.date(LAST_YEAR, 12, 31)),
    "August last year": (dt.date(LAST_YEAR, 8, 1), dt.date(LAST_YEAR, 8, 31)),
    "this month": (dt.date(THIS_YEAR, 11, 1), TODAY),
}


@pytest.mark.parametrize("period", list(PERIODS))
def test_the_halls_results_page(en_client, english, imported, generated, period):
    hall, _paths, _outputs = imported
    start, end = PERIODS[period]
    rows = between(generated.last_year + generated.this_year, start, end)
    en_client.force_login(make_manager(hall, "manager_gl07"))

    page = en_client.get(
        reverse("results:hall"), {"hall": CODE, "start": start, "end": end}
    ).content.decode()

    windows = re.search(r'id="window-results">(.*?)</table>', page, re.S).group(1)
    staff = re.search(r'id="staff-results">(.*?)</table>', page, re.S).group(1)
    totals = re.search(r'id="window-totals">(.*?)</tr>', windows, re.S).group(1)
    assert _cells(totals) == _shown(figures(rows))
    by_window = defaultdict(list)
    by_badge = defaultdict(list)
    for row in rows:
        by_window[row.window_no].append(row)
        if row.staff_badge:
            by_badge[row.staff_badge].append(row)
    for number in (101, 110, 121):  # a few windows (121 opened this year)
        shown = re.search(rf'<tr data-window="{number}">(.*?)</tr>', windows, re.S)
        if number not in by_window:
            assert shown is None or _cells(shown.group(1))["fig-visits"] == "0"
            continue
        assert _cells(shown.group(1)) == _shown(figures(by_window[number])), number
    names = {row.badge_no: row.name for row in generated.staff}
    for badge in ("GL001", "GL007", "GL020", "GL031"):  # listed, and created by the import
        shown = re.search(rf'<tr data-badge="{badge}">(.*?)</tr>', staff, re.S)
        if badge not in by_badge:
            assert shown is None or _cells(shown.group(1))["fig-visits"] == "0"
            continue
        name = re.search(r"<th[^>]*>(.*?)</th>", shown.group(1), re.S).group(1)
        assert _text(name) == names.get(badge, badge)
        assert _cells(shown.group(1)) == _shown(figures(by_badge[badge])), badge


def test_the_live_feed_of_today(en_client, english, imported, generated):
    hall, _paths, _outputs = imported
    today = figures(between(generated.this_year, TODAY, TODAY))
    en_client.force_login(make_manager(hall, "manager_gl07"))

    data = en_client.get(reverse("results-live"), {"hall": CODE}).json()

    assert data["date"] == TODAY.isoformat()
    totals = data["totals"]
    assert {name: totals[name] for name in ("visits", "items", "rated", "good", "bad")} == {
        "visits": today.visits,
        "items": today.items,
        "rated": today.rated,
        "good": today.good,
        "bad": today.bad,
    }
    assert (totals["evaluation_rate_pct"], totals["satisfaction_rate_pct"]) == (
        today.evaluation_rate_pct,
        today.satisfaction_rate_pct,
    )
    assert len(data["bad_reviews"]) == today.bad == 2


MONTHS = {"August last year": dt.date(LAST_YEAR, 8, 10), "this month": TODAY}


@pytest.mark.parametrize("month", list(MONTHS))
def test_the_monthly_bulletin(imported, generated, month):
    hall, _paths, _outputs = imported
    day = MONTHS[month]
    start = day.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    expected = figures(between(generated.last_year + generated.this_year, start, end))

    bulletin = bulletin_build(hall=hall, kind="monthly", day=day)

    assert (bulletin.period_start, bulletin.period_end) == (start, end)
    shown = bulletin.figures["hall"]
    assert (
        shown["visits"],
        shown["items"],
        shown["evaluation_rate_pct"],
        shown["satisfaction_rate_pct"],
        shown["bad_reviews"],
        shown["no_shows"],
    ) == (
        expected.visits,
        expected.items,
        expected.evaluation_rate_pct,
        expected.satisfaction_rate_pct,
        expected.bad,
        expected.no_shows,
    )
    assert bulletin.figures["bad_reviews"]["count"] == expected.bad
    with bulletin.workbook.open("rb") as stream:
        sheet = openpyxl.load_workbook(io.BytesIO(stream.read()))["汇总"]
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    start_row = next(i for i, row in enumerate(rows) if row[:2] == ("项目", "数值")) + 1
    key_figures = {}
    for row in rows[start_row:]:
        if row[0] is None:
            break
        key_figures.setdefault(row[0], row[1])
    assert {
        label: key_figures[label] for label in ("接待人次", "办件量", "评价率", "满意率", "差评数")
    } == {
        "接待人次": expected.visits,
        "办件量": expected.items,
        "评价率": round(expected.evaluation_rate_pct / 100, 6),
        "满意率": round(expected.satisfaction_rate_pct / 100, 6),
        "差评数": expected.bad,
    }


# --- the same path through the admin, as the hall's manager takes it -------------------------


def upload(client, url_name: str, path, **fields) -> list[tuple[str, str]]:
    with path.open("rb") as stream:
        response = client.post(
            reverse(f"admin:{url_name}"), {"file": stream, **fields}, follow=True
        )
    assert response.status_code == 200
    return [(message.level_tag, str(message)) for message in response.context["messages"]]


def test_the_manager_uploads_the_same_files_in_the_admin(
    db, client, en_client, english, generated, tmp_path
):
    hall = create_hall_in_the_admin(client)
    paths = generated.write(tmp_path)
    last, this = figures(generated.last_year), figures(generated.this_year)
    n_last, n_this = len(generated.last_year), len(generated.this_year)
    en_client.force_login(make_manager(hall, "manager_gl07"))

    staff = upload(en_client, "windows_staff_import", paths["staff"], hall=hall.pk)
    visits = [
        upload(en_client, "windows_visit_import", paths[year], hall=hall.pk, create_missing="on")
        for year in ("last_year", "this_year")
    ]

    assert staff == [
        ("info", "departments created: 3"),
        ("success", "Staff imported: imported 15, unchanged 0, rejected 0."),
    ]
    assert visits == [
        [
            ("info", "windows created: 20"),
            ("info", "service items created: 30"),
            ("info", "staff cards created (without a login): 15"),
            ("info", f"historical bad reviews (deadline passed, no follow-up case): {last.bad}"),
            ("success", f"Visits imported: imported {n_last}, unchanged 0, rejected 0."),
        ],
        [
            ("info", "windows created: 1"),
            ("info", "service items created: 1"),
            ("info", "staff cards created (without a login): 2"),
            (
                "info",
                f"historical bad reviews (deadline passed, no follow-up case): "
                f"{this.historical_bad}",
            ),
            (
                "warning",
                f"Visits imported with rejected rows: imported {n_this}, unchanged 0, rejected 3.",
            ),
        ],
    ]
    assert (
        Window.objects.filter(hall=hall).count(),
        Staff.objects.filter(hall=hall).count(),
        Visit.objects.filter(hall=hall).count(),
        Complaint.objects.filter(hall=hall).count(),
    ) == (21, 32, n_last + n_this, 4)
    for year in (LAST_YEAR, THIS_YEAR):
        stats = en_client.get(f"/api/v1/halls/{CODE}/stats/volume/?year={year}").json()
        del stats["business_days"], stats["daily_average_items"]
        assert stats == expected_stats(generated, year)


# --- the same history through the REST API, as an integration sends it ------------------------


def test_an_integration_posts_the_same_history_through_the_api(db, client, generated):
    from rest_framework.authtoken.models import Token

    hall = create_hall_in_the_admin(client)
    token = Token.objects.create(user=make_manager(hall, "queue_system"))
    header = {"HTTP_AUTHORIZATION": f"Token {token.key}", "HTTP_ACCEPT_LANGUAGE": "en"}
    names = new_hall.VISIT_HEADERS["en"]
    last, this = figures(generated.last_year), figures(generated.this_year)
    records = {
        "last_year": [
            dict(zip(names, row.cells("en"), strict=True)) for row in generated.last_year
        ],
        "this_year": [dict(zip(names, row.cells("en"), strict=True)) for row in generated.this_year]
        + [dict(zip(names, cells, strict=True)) for cells in new_hall.bad_rows(TODAY)],
    }

    def post(year: str) -> dict:
        response = client.post(
            reverse("visit-batch"),
            {"hall": CODE, "create_missing": True, "visits": records[year]},
            content_type="application/json",
            **header,
        )
        assert response.status_code == 200, response.content
        answer = response.json()
        return {
            key: answer[key]
            for key in ("imported", "unchanged", "rejected", "historical_bad", "created")
        } | {"errors": [error["message"] for error in answer["errors"]]}

    first = {year: post(year) for year in records}
    again = {year: post(year) for year in records}

    n_last, n_this = len(generated.last_year), len(generated.this_year)
    errors = new_hall.bad_row_errors(first_row=n_this + 1)  # record N is row N
    assert first == {
        "last_year": {
            "imported": n_last, "unchanged": 0, "rejected": 0, "historical_bad": last.bad,
            "created": {"windows": 20, "service_items": 30, "staff": 30}, "errors": [],
        },
        "this_year": {
            "imported": n_this, "unchanged": 0, "rejected": 3,
            "historical_bad": this.historical_bad,
            "created": {"windows": 1, "service_items": 1, "staff": 2}, "errors": errors,
        },
    }  # fmt: skip
    assert again == {
        "last_year": {"imported": 0, "unchanged": n_last, "rejected": 0, "historical_bad": 0,
                      "created": {}, "errors": []},
        "this_year": {"imported": 0, "unchanged": n_this, "rejected": 3, "historical_bad": 0,
                      "created": {}, "errors": errors},
    }  # fmt: skip
    assert Complaint.objects.filter(hall=hall).count() == 4
    for year in (LAST_YEAR, THIS_YEAR):
        stats = client.get(f"/api/v1/halls/{CODE}/stats/volume/?year={year}", **header).json()
        del stats["business_days"], stats["daily_average_items"]
        assert stats == expected_stats(generated, year)

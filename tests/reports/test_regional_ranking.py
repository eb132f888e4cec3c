"""The regional ranking: two halls of a district ranked with exact figures, equal to what
each hall's own pages show (results, volume statistics, complaints dashboard,
rectification), month by month; sub-regions; bad month inputs."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import Channel, Complaint
from rectification.models import Measure, RectificationChecklist
from reports.regional.selectors import regional_ranking
from tests.reports import make_visit
from tests.windows.factories import SHANGHAI, HallFactory, UserFactory, WindowFactory
from windows import roles
from windows.models import Region, RegionAccess

pytestmark = pytest.mark.django_db

MARCH = dt.date(2025, 3, 4)
APRIL = dt.date(2025, 4, 1)


class Finder(HTMLParser):
    """The text of every element whose attributes include all of `wanted` (value None: the
    attribute is present)."""

    def __init__(self, wanted: dict):
        super().__init__()
        self.wanted = wanted
        self.found: list[str] = []
        self.open: list[list] = []  # [depth, text parts] of the matching elements open

    VOID = {"area", "br", "col", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.VOID:  # no end tag follows
            return
        for entry in self.open:
            entry[0] += 1
        if all(
            name in attrs and (value is None or attrs[name] == value)
            for name, value in self.wanted.items()
        ):
            self.open.append([1, []])

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        for entry in list(self.open):
            entry[0] -= 1
            if entry[0] == 0:
                self.found.append(" ".join(" ".join(entry[1]).split()))
                self.open.remove(entry)

    def handle_data(self, data):
        for entry in self.open:
            entry[1].append(data)


def texts(response, **wanted) -> list[str]:
    finder = Finder({name.replace("_", "-"): value for name, value in wanted.items()})
    finder.feed(response.content.decode())
    return finder.found


def text(response, **wanted) -> str:
    (found,) = texts(response, **wanted)
    return found


def case(hall, *, status, callback_result="", due="2025-03-20", received=MARCH):
    verdict = {"verdict": Complaint.Verdict.SUBSTANTIATED} if status == "closed" else {}
    return Complaint.objects.create(
        **verdict,
        hall=hall,
        channel=Channel.ON_SITE,
        received_at=dt.datetime.combine(received, dt.time(10), tzinfo=SHANGHAI),
        due_date=dt.date.fromisoformat(due),
        status=status,
        callback_result=callback_result,
    )


def measures(hall, *statuses, deadline=dt.date(2025, 3, 31)):
    checklist = RectificationChecklist.objects.create(
        hall=hall,
        title="满意度提升工作措施",
        source=RectificationChecklist.Source.THIRD_PARTY,
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
    )
    for number, status in enumerate(statuses, 1):
        Measure.objects.create(
            checklist=checklist,
            order=number,
            title=f"措施{number}",
            deadline=deadline,
            status=status,
            completed_on=deadline if status in ("done", "verified") else None,
        )


def region_with_two_halls():
    """六合区 (R1, in 南京市 C1) with 甲 (HA) and 乙 (HB); 丙 (HC) in another district.

    March 2025 (21 business days): HA 4 visits of 10 items (5, 5, 1, unrated), HB 2 visits
    of 5 items (5, 4); April: HA 1 visit of 10 items (5). Cases received in March: HA one
    closed and called back, one replied not called back, one open past its due date; HB
    one called back. Measures due in March: HA done, verified, in progress; HB not started.
    """
    city = Region.objects.create(code="C1", name="南京市", kind=Region.Kind.CITY)
    region = Region.objects.create(code="R1", name="六合区", parent=city)
    other = Region.objects.create(code="R2", name="江宁区", parent=city)
    hall_a = HallFactory(code="HA", name="甲大厅", region=region)
    hall_b = HallFactory(code="HB", name="乙大厅", region=region)
    hall_c = HallFactory(code="HC", name="丙大厅", region=other)
    window_a, window_b, window_c = (WindowFactory(hall=h) for h in (hall_a, hall_b, hall_c))
    for level in (5, 5, 1, None):
        make_visit(hall_a, window_a, MARCH, items=10, level=level)
    for level in (5, 4):
        make_visit(hall_b, window_b, MARCH + dt.timedelta(days=1), items=5, level=level)
    make_visit(hall_a, window_a, APRIL, items=10, level=5)
    make_visit(hall_c, window_c, MARCH, items=99, level=5)
    case(hall_a, status="closed", callback_result="satisfied")
    case(hall_a, status="replied", due="2099-01-01")
    case(hall_a, status="in_progress")  # due 2025-03-20: overdue
    case(hall_b, status="callback_done", callback_result="satisfied", due="2099-01-01")
    measures(hall_a, "done", "verified", "in_progress")
    measures(hall_b, "not_started")
    return region, hall_a, hall_b, hall_c


def regional_user(region, username="regional"):
    user = UserFactory(username=username, role=roles.REGIONAL_MANAGER)
    RegionAccess.objects.create(user=user, region=region)
    return user


def test_two_halls_are_ranked_with_exact_figures_over_march():
    region, hall_a, hall_b, _hall_c = region_with_two_halls()

    ranking = regional_ranking(region=region, start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 1))

    assert (ranking.start, ranking.end) == (dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    first, second = ranking.rows
    assert (first.hall, second.hall) == (hall_b, hall_a)  # 100 % satisfied before 66.67 %
    assert (first.rank, second.rank) == (1, 2)
    assert [(name, value, rank) for name, value, rank in second.cells()] == [
        ("items", 40, 1),
        ("daily_average_items", 1.9, 1),  # 40 / 21
        ("evaluation_rate_pct", 75.0, 2),
        ("satisfaction_rate_pct", 66.67, 2),
        ("callback_rate_pct", 50.0, 2),
        ("overdue_cases", 1, 2),
        ("completion_rate_pct", 66.67, 1),
    ]
    assert [(name, value, rank) for name, value, rank in first.cells()] == [
        ("items", 10, 2),
        ("daily_average_items", 0.5, 2),  # 10 / 21
        ("evaluation_rate_pct", 100.0, 1),
        ("satisfaction_rate_pct", 100.0, 1),
        ("callback_rate_pct", 100.0, 1),
        ("overdue_cases", 0, 1),
        ("completion_rate_pct", 0.0, 2),
    ]
    assert (second.business_days, second.visits, second.measures) == (21, 4, 3)
    assert [month.month for month in ranking.months] == [dt.date(2025, 3, 1)]


def test_month_by_month_rows_and_the_period_sums_them():
    region, *_halls = region_with_two_halls()

    ranking = regional_ranking(region=region, start=dt.date(2025, 3, 1), end=dt.date(2025, 4, 30))

    march, april = ranking.months
    assert [(row.hall.code, row.items, row.overdue_cases) for row in march.rows] == [
        ("HB", 10, 0),
        ("HA", 40, 1),
    ]
    # April: HA's one rated visit (100 %) ranks first; HB had no visit, no case, no measure.
    assert [(row.hall.code, row.items, row.business_days) for row in april.rows] == [
        ("HA", 10, 22),
        ("HB", 0, 22),
    ]
    hb_april = april.rows[1]
    assert (
        hb_april.daily_average_items,
        hb_april.evaluation_rate_pct,
        hb_april.callback_rate_pct,
        hb_april.completion_rate_pct,
    ) == (0.0, None, None, None)
    # no figure, no rank in that column; HB's items (0) still rank
    assert (hb_april.ranks["evaluation_rate_pct"], hb_april.ranks["items"]) == (None, 2)
    period = {row.hall.code: row for row in ranking.rows}
    assert (period["HA"].items, period["HA"].business_days) == (50, 43)
    assert period["HA"].daily_average_items == 1.2  # 50 / 43 = 1.16
    assert period["HA"].satisfaction_rate_pct == 75.0  # 3 of 4


COLUMNS = (
    "items",
    "daily_average_items",
    "evaluation_rate_pct",
    "satisfaction_rate_pct",
    "callback_rate_pct",
    "overdue_cases",
    "completion_rate_pct",
)


def shown(page, *key) -> str:
    """The figure a cell of the regional page shows (without its rank badge)."""
    found = text(page, data_cell=":".join(key))
    return found.split(" ")[0]


def test_the_regional_page_shows_the_figures_each_halls_own_pages_show(client):
    """The binding test: a regional manager opens the regional page for 2025 and each hall's
    own pages (results, the volume statistics, the complaints dashboard with its
    rectification tile, the rectification page): every figure is the same."""
    region, hall_a, hall_b, _hall_c = region_with_two_halls()
    client.force_login(regional_user(region))

    page = client.get(
        reverse("regional:ranking"), {"region": "R1", "start": "2025-01", "end": "2025-12"}
    )

    assert page.status_code == 200
    assert {code: shown(page, code, "rank") for code in ("HA", "HB")} == {"HA": "2", "HB": "1"}
    assert {code: [shown(page, code, column) for column in COLUMNS] for code in ("HA", "HB")} == {
        # 2025: 248 business days; HA 50 items, 4 of 5 rated, 3 of 4 good
        "HA": ["50", "0.2", "80.00%", "75.00%", "50.00%", "1", "66.67%"],
        "HB": ["10", "0.0", "100.00%", "100.00%", "100.00%", "0", "0.00%"],
    }
    for hall in (hall_a, hall_b):
        code = hall.code
        results = client.get(
            reverse("results:hall"), {"hall": code, "start": "2025-01-01", "end": "2025-12-31"}
        )
        volume = client.get(f"/api/v1/halls/{code}/stats/volume/", {"year": 2025})
        cases = client.get(reverse("complaints:dashboard"), {"hall": code})
        rectification = client.get(reverse("rectification:progress"), {"hall": code})
        assert (results.status_code, volume.status_code) == (200, 200)
        assert (cases.status_code, rectification.status_code) == (200, 200)
        volume = volume.json()
        totals = text(results, id="window-totals").split(" ")  # Total, visits, items, rated, ...
        assert shown(page, code, "items") == totals[2] == str(volume["items_total"])
        assert shown(page, code, "daily_average_items") == str(volume["daily_average_items"])
        assert shown(page, code, "evaluation_rate_pct") == totals[4]
        assert shown(page, code, "evaluation_rate_pct") == f"{volume['evaluation_rate_pct']:.2f}%"
        assert shown(page, code, "satisfaction_rate_pct") == totals[5]
        assert (
            shown(page, code, "satisfaction_rate_pct") == f"{volume['satisfaction_rate_pct']:.2f}%"
        )
        assert shown(page, code, "callback_rate_pct") == text(cases, data_figure="callback_rate")
        assert shown(page, code, "overdue_cases") == text(cases, data_figure="overdue")
        completion = shown(page, code, "completion_rate_pct")
        assert completion == text(cases, data_figure="rectification_rate")
        assert texts(rectification, data_rate=None)[0].endswith(completion)


def test_a_month_row_equals_the_results_page_of_that_month(client):
    region, _hall_a, _hall_b, _hall_c = region_with_two_halls()
    client.force_login(regional_user(region))

    page = client.get(
        reverse("regional:ranking"), {"region": "R1", "start": "2025-03", "end": "2025-04"}
    )

    for month, last_day in (("2025-03", "31"), ("2025-04", "30")):
        for code in ("HA", "HB"):
            results = client.get(
                reverse("results:hall"),
                {"hall": code, "start": f"{month}-01", "end": f"{month}-{last_day}"},
            )
            totals = text(results, id="window-totals").split(" ")
            assert shown(page, month, code, "items") == totals[2]
            assert shown(page, month, code, "evaluation_rate_pct") == totals[4]
            assert shown(page, month, code, "satisfaction_rate_pct") == totals[5]
    assert [shown(page, "2025-04", "HA", column) for column in COLUMNS] == [
        "10",
        "0.5",  # 10 / 22 business days
        "100.00%",
        "100.00%",
        "—",
        "0",
        "—",
    ]
    assert shown(page, "2025-04", "HA", "rank") == "1"
    # no case and no measure in April: no figure, so no rank in those columns
    html = page.content.decode()
    assert 'data-cell="2025-04:HA:callback_rate_pct" data-rank=""' in html
    assert 'data-cell="2025-04:HA:items" data-rank="1"' in html


def test_a_city_user_sees_its_districts_halls_and_a_district_user_only_its_own(client):
    region, _hall_a, _hall_b, _hall_c = region_with_two_halls()
    client.force_login(regional_user(region.parent, "city"))

    city_page = client.get(
        reverse("regional:ranking"), {"region": "C1", "start": "2025-03", "end": "2025-03"}
    )
    other_district = client.get(reverse("regional:ranking"), {"region": "R2"})

    assert city_page.status_code == 200
    assert [shown(city_page, code, "items") for code in ("HA", "HB", "HC")] == ["40", "10", "99"]
    assert other_district.status_code == 200

    client.force_login(regional_user(region, "district"))
    assert client.get(reverse("regional:ranking"), {"region": "R2"}).status_code == 404
    assert client.get(reverse("regional:ranking"), {"region": "C1"}).status_code == 404
    assert client.get(reverse("regional:ranking")).context["region"] == region


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2025-13"}, "From month: Enter a month as YYYY-MM."),
        ({"end": "March"}, "To month: Enter a month as YYYY-MM."),
        (
            {"start": "2025-05", "end": "2025-03"},
            "The first month must not be after the last month.",
        ),
        ({"start": "2020-01", "end": "2025-03"}, "The period may cover at most 36 months."),
    ],
)
def test_a_bad_month_is_a_clear_message_and_no_table(client, english, query, message):
    region, *_halls = region_with_two_halls()
    client.force_login(regional_user(region))

    page = client.get(reverse("regional:ranking"), {"region": "R1", **query})

    assert page.status_code == 400
    assert text(page, id="regional-errors") == message
    assert texts(page, id="regional-ranking") == []


def test_without_a_period_the_month_inputs_show_the_default_one_ranked(client):
    region, *_halls = region_with_two_halls()
    client.force_login(regional_user(region))

    page = client.get(reverse("regional:ranking"))

    today = timezone.localdate()
    assert page.status_code == 200
    assert page.context["ranking"].start == today.replace(month=1, day=1)
    html = page.content.decode()
    assert f'name="start" id="id_start" value="{today:%Y}-01"' in html
    assert f'name="end" id="id_end" value="{today:%Y-%m}"' in html

"""Badge cards without a login (historical staff, badges an import created) on the pages that
list staff: the hall's results, the live feed, the bad reviews, the staff pages."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from evaluations.models import Rating
from evaluations.rollups import rollups_rebuild
from tests.windows.factories import StaffFactory, VisitFactory, WindowFactory
from windows.models import Staff
from windows.selectors import staff_for_user
from windows.services import staff_login_create, staff_set_password

HALL = reverse("results:hall")


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def served(hall_a, today):
    """Hall A today: a card without a login (GL013, as an import creates it) served two
    visits at window 1, one rated 1; 张三 (with a login) one at window 2."""
    card = Staff.objects.create(hall=hall_a, badge_no="GL013", display_name="GL013")
    zhang = StaffFactory(hall=hall_a, badge_no="A01", display_name="张三")
    window_1 = WindowFactory(hall=hall_a, number=1)
    window_2 = WindowFactory(hall=hall_a, number=2)
    VisitFactory(hall=hall_a, window=window_1, staff=card, service_date=today)
    bad = VisitFactory(hall=hall_a, window=window_1, staff=card, service_date=today)
    Rating.objects.create(visit=bad, level=1, rated_at=bad.finished_at, source=Rating.Source.TABLET)
    VisitFactory(hall=hall_a, window=window_2, staff=zhang, service_date=today)
    rollups_rebuild()  # the factories write the visits as no service does
    return card


def test_the_halls_results_list_a_card_without_a_login(en_client, english, manager_a, served):
    en_client.force_login(manager_a)

    response = en_client.get(HALL, {"hall": "HA"})

    assert response.status_code == 200
    rows = response.context["staff_rows"]
    assert [(row.staff.badge_no, row.visits, row.bad) for row in rows] == [
        ("A01", 1, 0),
        ("GL013", 2, 1),
    ]
    assert '<span class="text-secondary bad-review-staff">GL013 · GL013</span>' in response.text


def test_the_live_feed_names_a_card_without_a_login(en_client, english, manager_a, served):
    en_client.force_login(manager_a)

    feed = en_client.get(reverse("results-live"), {"hall": "HA"}).json()

    assert [review["staff_name"] for review in feed["bad_reviews"]] == ["GL013"]


def test_a_renamed_card_shows_its_name(en_client, english, manager_a, served):
    served.display_name = "李历史"
    served.save()
    en_client.force_login(manager_a)

    response = en_client.get(HALL, {"hall": "HA"})

    assert "李历史" in response.text


def test_a_user_without_a_card_has_no_staff_pages(client, manager_a, served):
    assert staff_for_user(user=manager_a) is None
    client.force_login(manager_a)

    assert client.get(reverse("results:me")).status_code == 302  # to the hall's page


def test_a_card_given_a_login_later_sees_its_imported_history(client, hall_a, served, today):
    # given the card had served visits before it had a login
    staff_login_create(staff=served, username="gl013", password=None)
    staff_set_password(staff=served, password="Window-5-counter")
    client.force_login(served.user)

    response = client.get(reverse("results:me"))

    assert response.status_code == 200
    assert response.context["staff"] == served
    assert client.get("/").status_code == 200


def test_the_staff_import_then_the_visits_import_for_a_new_hall(tmp_path, hall_a):
    """Cards imported first (without logins) are the badges the visits import finds."""
    WindowFactory(hall=hall_a, number=1)
    staff_file = tmp_path / "staff.csv"
    staff_file.write_text("大厅编码,工号,姓名\nHA,GL013,王小明\n", encoding="utf-8")
    visits_file = tmp_path / "visits.csv"
    visits_file.write_text(
        "大厅编码,排队号,取号时间,开始办理时间,办结时间,窗口号,工号,业务编码,状态\n"
        "HA,A001,2022-01-04 08:30:00,2022-01-04 08:41:00,2022-01-04 08:50:00,1,GL013,"
        "S001,办结\n",
        encoding="utf-8",
    )
    out = io.StringIO()

    call_command("import_staff", str(staff_file), stdout=out)
    call_command("import_visits", str(visits_file), "--create-missing", stdout=out)

    # The lines before the summary speak the portal's language (Chinese by default);
    # the summary line is the contract's, in English (contracts.md section 2).
    assert out.getvalue().splitlines() == [
        "imported 1, unchanged 0, rejected 0",
        "新建业务事项：1 项",
        "imported 1, unchanged 0, rejected 0",
    ]
    assert list(Staff.objects.values_list("badge_no", "display_name", "user")) == [
        ("GL013", "王小明", None)
    ]

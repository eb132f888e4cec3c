"""The big screen's state endpoint: only a paired big screen, only its hall, 304 when unchanged."""

import json
from types import SimpleNamespace

import pytest
from django.utils import timezone

from evaluations.models import Rating, TabletDevice
from evaluations.services.ratings import rating_record
from tests.evaluations.display_factories import as_display, paired_display, queue_hall, serve
from tests.evaluations.tablet_factories import paired_tablet
from tests.windows.factories import WindowFactory, make_manager
from windows.hall_devices import hall_device_revoke
from windows.models import HallDevice, QueueCall
from windows.queue.services import ticket_call_next, ticket_issue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
URL = "/display/api/state"
NOT_PAIRED = {"error": "device_not_paired", "message": "This screen is not paired."}


@pytest.fixture
def queue(hall_a):
    return queue_hall(hall_a)


@pytest.fixture
def screen(hall_a):
    return paired_display(hall_a)


def test_a_paired_screen_gets_its_halls_calls_waiting_and_rates(en_client, queue, screen):
    category, sessions = queue
    for _ in range(3):
        ticket_issue(category=category)
    serve(sessions[7])
    first = QueueCall.objects.get()
    ticket_call_next(session=sessions[5])
    second = QueueCall.objects.latest("pk")
    _device, token = screen

    response = as_display(en_client, token).get(URL)

    body = response.json()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"
    assert response["ETag"].startswith('W/"')
    assert [(c["ticket_no"], c["window"]) for c in body["calling"]] == [("A002", 5)]
    assert [
        (c["id"], c["kind"], c["ticket_no"], c["window"], c["announcement"]) for c in body["calls"]
    ] == [
        (second.pk, "call", "A002", 5, "请A002号到5号窗口办理"),
        (first.pk, "call", "A001", 7, "请A001号到7号窗口办理"),
    ]
    assert (body["waiting"], body["waiting_total"]) == (
        [{"prefix": "A", "name": "社保通办", "waiting": 1}],
        1,
    )
    assert body["ratings"] == [
        {
            "window": 5,
            "name": "社保通办5号窗口",
            "visits": 0,
            "evaluation_rate": "—",
            "satisfaction_rate": "—",
        },
        {
            "window": 7,
            "name": "社保通办7号窗口",
            "visits": 0,
            "evaluation_rate": "—",
            "satisfaction_rate": "—",
        },
    ]


def test_a_rated_visit_shows_its_rates(en_client, queue, screen):
    category, sessions = queue
    ticket_issue(category=category)
    ticket_issue(category=category)
    serve(sessions[7], finished=timezone.now(), level=5)
    serve(sessions[7], finished=timezone.now())

    body = as_display(en_client, screen[1]).get(URL).json()

    assert body["ratings"][1] == {
        "window": 7,
        "name": "社保通办7号窗口",
        "visits": 2,
        "evaluation_rate": "50.00%",
        "satisfaction_rate": "100.00%",
    }


def test_an_unchanged_state_is_304_and_a_new_ticket_is_200(en_client, queue, screen):
    category, _sessions = queue
    client = as_display(en_client, screen[1])
    etag = client.get(URL)["ETag"]

    unchanged = client.get(URL, headers={"If-None-Match": etag})
    ticket_issue(category=category)
    changed = client.get(URL, headers={"If-None-Match": etag})

    assert (unchanged.status_code, unchanged.content, unchanged["ETag"]) == (304, b"", etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json()["waiting_total"] == 1


def test_a_rating_changes_the_etag(en_client, queue, screen):
    category, sessions = queue
    ticket_issue(category=category)
    visit = serve(sessions[5], finished=timezone.now())
    client = as_display(en_client, screen[1])
    etag = client.get(URL)["ETag"]
    rating_record(visit=visit, level=5, source=Rating.Source.API)

    response = client.get(URL, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.json()["ratings"][0]["satisfaction_rate"] == "100.00%"


def test_the_device_header_works_too(en_client, queue, screen):
    response = en_client.get(URL, headers={"Authorization": f"Device {screen[1]}"})

    assert (response.status_code, response.json()["hall"]) == (200, "甲大厅")


def test_a_screen_of_hall_a_never_sees_hall_b(en_client, hall_b, queue, screen):
    category_b, sessions_b = queue_hall(hall_b, numbers=(5, 9))
    ticket_issue(category=category_b)
    ticket_issue(category=category_b)
    ticket_call_next(session=sessions_b[9])
    _device_b, token_b = paired_display(hall_b)

    body_a = as_display(en_client, screen[1]).get(URL).json()
    body_b = as_display(en_client, token_b).get(URL).json()

    assert (body_a["hall"], body_a["calling"], body_a["calls"], body_a["waiting_total"]) == (
        "甲大厅",
        [],
        [],
        0,
    )
    assert [row["window"] for row in body_a["ratings"]] == [5, 7]
    assert (
        body_b["hall"],
        [c["ticket_no"] for c in body_b["calling"]],
        body_b["waiting_total"],
    ) == (
        "乙大厅",
        ["A001"],
        1,
    )
    assert [row["window"] for row in body_b["ratings"]] == [5, 9]


def kiosk_cookie(client, hall):
    _device, token = paired_display(hall, kind=HallDevice.Kind.KIOSK)
    return as_display(client, token)


def kiosk_header(client, hall):
    _device, token = paired_display(hall, kind=HallDevice.Kind.KIOSK)
    client.defaults["HTTP_AUTHORIZATION"] = f"Device {token}"
    return client


def tablet_cookie(client, hall):
    _device, token = paired_tablet(WindowFactory(hall=hall, number=30))
    return as_display(client, token)


def revoked(client, hall):
    device, token = paired_display(hall)
    hall_device_revoke(device=device)
    return as_display(client, token)


def manager(client, hall):
    client.force_login(make_manager(hall, "display_manager"))
    return client


@pytest.mark.parametrize(
    "who",
    [
        lambda client, hall: client,
        kiosk_cookie,
        kiosk_header,
        tablet_cookie,
        revoked,
        manager,
        lambda client, hall: as_display(client, "forged"),
    ],
    ids=["nobody", "kiosk cookie", "kiosk header", "tablet token", "revoked", "staff", "forged"],
)
def test_only_a_paired_big_screen_gets_the_state(en_client, hall_a, queue, who):
    category, _sessions = queue
    ticket_issue(category=category)

    response = who(en_client, hall_a).get(URL)

    assert response.status_code == 401
    assert response.json() == NOT_PAIRED
    assert TabletDevice.objects.filter(revoked_at__isnull=False).count() == 0


def test_the_state_is_read_only(en_client, screen):
    assert as_display(en_client, screen[1]).post(URL).status_code == 405


def test_the_screen_page_embeds_its_first_state(en_client, queue, screen):
    category, _sessions = queue
    ticket_issue(category=category)

    response = as_display(en_client, screen[1]).get("/display/?mode=large")

    html = response.content.decode()
    config = json.loads(
        html.split('id="display-config" type="application/json">')[1].split("</script>")[0]
    )
    assert response.status_code == 200
    assert "portal-navbar" not in html
    assert "http://" not in html and "https://" not in html
    assert "/static/evaluations/display/display.js" in html
    assert (config["stateUrl"], config["pollMs"], config["mode"], config["timeZone"]) == (
        URL,
        500,
        "large",
        "Asia/Shanghai",
    )
    assert (config["state"]["hall"], config["state"]["waiting_total"]) == ("甲大厅", 1)
    assert config["etag"].startswith('W/"')
    assert config["strings"]["window"] == "Window %(number)s"


def test_an_unknown_mode_is_ignored(en_client, screen):
    html = as_display(en_client, screen[1]).get("/display/?mode=<b>").content.decode()

    assert '"mode": ""' in html
    assert "<b>" not in html


@pytest.mark.parametrize("who", [lambda client, hall: client, kiosk_cookie, revoked, manager])
def test_the_screen_page_without_a_big_screen_goes_to_pairing(en_client, hall_a, who):
    response = who(en_client, hall_a).get("/display/")

    assert (response.status_code, response["Location"]) == (302, "/display/pair/")


def test_an_unchanged_poll_costs_two_queries(
    en_client, queue, screen, monkeypatch, django_assert_num_queries
):
    moment = timezone.now()
    monkeypatch.setattr("evaluations.display.api.timezone", SimpleNamespace(now=lambda: moment))
    client = as_display(en_client, screen[1])
    etag = client.get(URL)["ETag"]

    with django_assert_num_queries(2):  # the screen's token, then the ETag's one query
        response = client.get(URL, headers={"If-None-Match": etag})

    assert response.status_code == 304

"""The admin of rating tablets and ratings, scoped to the user's halls.

Complaint cases are in test_complaint_admin.py.
"""

import datetime as dt
import re

import pytest
import segno
from django.urls import reverse
from django.utils import timezone

from evaluations.models import Rating, TabletDevice
from evaluations.services.devices import PAIRING_CODE_VALID_FOR, hash_secret, tablet_pair
from evaluations.services.ratings import rating_submit
from tests.evaluations.tablet_factories import as_tablet, finished_visit, paired_tablet
from tests.windows.factories import StaffFactory, WindowFactory, make_manager
from windows import roles

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:evaluations_tabletdevice_changelist"
ISSUE = "/admin/evaluations/tabletdevice/issue/"


@pytest.fixture
def window_a(hall_a):
    return WindowFactory(hall=hall_a, number=3, name="甲3号窗口")


@pytest.fixture
def window_b(hall_b):
    return WindowFactory(hall=hall_b, number=3, name="乙3号窗口")


@pytest.fixture
def tablet_a(window_a):
    return paired_tablet(window_a, label="甲评价器")


@pytest.fixture
def tablet_b(window_b):
    return paired_tablet(window_b, label="乙评价器")


@pytest.fixture
def supervisor_a(hall_a):
    return make_manager(hall_a, "supervisor_a", role=roles.SUPERVISOR)


def bad_rating(window, phone="13812345678") -> Rating:
    return rating_submit(
        visit=finished_visit(window),
        level=1,
        source=Rating.Source.TABLET,
        reasons=["attitude", "long_wait"],
        callback_phone=phone,
    )


# ---- tablets ----


def test_the_changelist_shows_only_the_managers_tablets(
    english, en_client, manager_a, tablet_a, tablet_b
):
    en_client.force_login(manager_a)

    response = en_client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [tablet_a[0]]
    html = response.content.decode()
    assert "甲评价器" in html and "乙评价器" not in html
    assert ">paired<" in html
    assert 'id="issue-pairing-code"' in html


def test_another_halls_tablet_cannot_be_opened(en_client, manager_b, tablet_a):
    en_client.force_login(manager_b)
    url = reverse("admin:evaluations_tabletdevice_change", args=[tablet_a[0].pk])

    response = en_client.get(url, follow=True)

    assert response.redirect_chain == [(reverse("admin:index"), 302)]


def test_another_halls_tablet_cannot_be_revoked(en_client, manager_b, tablet_a):
    en_client.force_login(manager_b)

    en_client.post(
        reverse(CHANGELIST),
        {"action": "revoke_selected", "_selected_action": [tablet_a[0].pk]},
    )

    tablet_a[0].refresh_from_db()
    assert tablet_a[0].revoked_at is None
    assert as_tablet(en_client, tablet_a[1]).get("/api/v1/tablet/state").status_code == 200


def test_a_manager_revokes_a_tablet_which_then_can_do_nothing(
    english, en_client, manager_a, tablet_a
):
    en_client.force_login(manager_a)

    response = en_client.post(
        reverse(CHANGELIST),
        {"action": "revoke_selected", "_selected_action": [tablet_a[0].pk]},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == ["1 tablet revoked."]
    tablet_a[0].refresh_from_db()
    assert tablet_a[0].revoked_at is not None
    en_client.logout()
    assert as_tablet(en_client, tablet_a[1]).get("/api/v1/tablet/state").status_code == 401


def test_a_manager_issues_a_pairing_code_shown_once(
    english, en_client, manager_a, window_a, window_b
):
    en_client.force_login(manager_a)
    form = en_client.get(ISSUE)
    assert list(form.context["form"].fields["window"].queryset) == [window_a]

    response = en_client.post(ISSUE, {"window": window_a.pk, "label": "新平板"})

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    html = response.content.decode()
    code = re.search(r'id="pairing-code"[^>]*>(\d{8})<', html).group(1)
    link = f"http://testserver/tablet/pair/?code={code}"
    assert link in html
    assert segno.make(link, error="m").svg_inline(scale=5, border=2) in html  # the QR code
    device = TabletDevice.objects.get()
    assert (device.window, device.label, device.token_hash) == (window_a, "新平板", None)
    assert device.pairing_code_hash == hash_secret(code)
    assert code not in device.pairing_code_hash
    expected_expiry = timezone.now() + PAIRING_CODE_VALID_FOR
    assert abs(device.pairing_expires_at - expected_expiry) < dt.timedelta(seconds=5)
    local_expiry = timezone.localtime(device.pairing_expires_at)
    assert f"Valid once, until {local_expiry:%Y-%m-%d %H:%M}." in html
    paired, _token = tablet_pair(code=code)
    assert paired == device


def test_the_add_button_leads_to_the_pairing_code_form(en_client, manager_a, window_a):
    en_client.force_login(manager_a)

    response = en_client.get(reverse("admin:evaluations_tabletdevice_add"))

    assert response.status_code == 200
    assert response.templates[0].name == "evaluations/tablet/admin_issue.html"


def test_a_pairing_code_for_another_halls_window_is_refused(
    english, en_client, manager_a, window_b
):
    en_client.force_login(manager_a)

    response = en_client.post(ISSUE, {"window": window_b.pk})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "window": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert TabletDevice.objects.count() == 0


def test_a_supervisor_reads_but_cannot_issue_or_revoke(en_client, supervisor_a, tablet_a, window_a):
    en_client.force_login(supervisor_a)

    listing = en_client.get(reverse(CHANGELIST))
    issue = en_client.post(ISSUE, {"window": window_a.pk})
    revoke = en_client.post(
        reverse(CHANGELIST), {"action": "revoke_selected", "_selected_action": [tablet_a[0].pk]}
    )
    change = en_client.post(
        reverse("admin:evaluations_tabletdevice_change", args=[tablet_a[0].pk]),
        {"label": "改名", "questionnaire_every": 0},
    )

    assert listing.status_code == 200
    assert 'id="issue-pairing-code"' not in listing.content.decode()
    assert listing.context["action_form"] is None  # no action (revoke) offered
    assert issue.status_code == 403
    assert change.status_code == 403
    tablet_a[0].refresh_from_db()
    assert (tablet_a[0].revoked_at, tablet_a[0].label) == (None, "甲评价器")
    assert TabletDevice.objects.count() == 1
    assert revoke.status_code == 200  # the list again, nothing done


def test_window_staff_cannot_reach_the_admin(en_client, hall_a):
    en_client.force_login(StaffFactory(hall=hall_a).user)

    response = en_client.get(ISSUE)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# ---- ratings ----


def test_ratings_are_listed_per_hall_and_read_only(en_client, manager_a, window_a, window_b):
    own = bad_rating(window_a)
    bad_rating(window_b)
    en_client.force_login(manager_a)

    listing = en_client.get(reverse("admin:evaluations_rating_changelist"))
    add = en_client.get(reverse("admin:evaluations_rating_add"))
    delete = en_client.post(
        reverse("admin:evaluations_rating_delete", args=[own.pk]), {"post": "yes"}
    )

    assert list(listing.context["cl"].result_list) == [own]
    assert "13812345678" not in listing.content.decode()
    assert add.status_code == 403
    assert delete.status_code == 403
    assert Rating.objects.count() == 2

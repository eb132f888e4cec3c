"""The queue's admin: business categories and the hall's screens, scoped to the user's halls.

The role groups do not grant these two models yet (windows/roles.py); each test's manager
is given the permissions the hall manager's group should have.
"""

import datetime as dt
import re

import pytest
import segno
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from tests.windows.factories import WindowFactory, ZoneFactory, make_manager
from tests.windows.kiosk_factories import as_kiosk, at, paired, set_clock
from windows import roles
from windows.hall_devices import PAIRING_CODE_VALID_FOR, hall_device_pair, hash_secret
from windows.models import HallDevice, QueueCategory, TicketCounter, Visit
from windows.queue.defaults import default_categories_create
from windows.queue.services import ticket_issue

pytestmark = pytest.mark.django_db
CATEGORIES = "/admin/windows/queuecategory/"
DEVICES = "/admin/windows/halldevice/"
ISSUE = "/admin/windows/halldevice/issue/"
DEFAULTS = "/admin/windows/queuecategory/defaults/"


def grant(user, *, actions=("view", "add", "change", "delete")):
    codenames = [f"{a}_{m}" for a in actions for m in ("queuecategory", "halldevice")]
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="windows", codename__in=codenames)
    )
    return user


@pytest.fixture
def manager(manager_a):
    return grant(manager_a)


@pytest.fixture
def other_manager(manager_b):
    return grant(manager_b)


@pytest.fixture
def zone_a(hall_a):
    zone = ZoneFactory(hall=hall_a, name="社保通办", kind="general")
    WindowFactory(hall=hall_a, number=1, zone=zone)
    WindowFactory(hall=hall_a, number=20, zone=None)
    return zone


@pytest.fixture
def categories_a(hall_a, zone_a):
    default_categories_create(hall=hall_a)
    return list(QueueCategory.objects.filter(hall=hall_a))


@pytest.fixture
def categories_b(hall_b):
    zone = ZoneFactory(hall=hall_b, name="医保通办", kind="general")
    WindowFactory(hall=hall_b, number=1, zone=zone)
    default_categories_create(hall=hall_b)
    return list(QueueCategory.objects.filter(hall=hall_b))


# ---- business categories ----


def test_the_list_shows_the_halls_categories_with_todays_issued_and_waiting(
    english, en_client, manager, hall_a, categories_a, categories_b, monkeypatch
):
    a = categories_a[0]
    ticket_issue(category=a, now=at(9, 0, day=1))  # yesterday's: not today's
    today = timezone.localtime().replace(hour=9, minute=0)
    for _ in range(3):
        ticket_issue(category=a, now=today)
    Visit.objects.filter(pk=Visit.objects.filter(issued_at=today).first().pk).update(
        status=Visit.Status.ABANDONED
    )
    en_client.force_login(manager)

    response = en_client.get(CATEGORIES)

    assert response.status_code == 200
    rows = [
        (c.prefix, c.name, c.issued_count, c.waiting_count)
        for c in response.context["cl"].result_list
    ]
    assert rows == [("A", "社保通办", 3, 2), ("B", "专窗业务", 0, 0)]
    html = response.content.decode()
    assert "医保通办" not in html
    assert "08:30–17:00" in html
    assert 'id="create-default-categories"' in html


def test_another_halls_category_cannot_be_opened_or_changed(en_client, other_manager, categories_a):
    category = categories_a[0]
    en_client.force_login(other_manager)

    opened = en_client.get(f"{CATEGORIES}{category.pk}/change/")
    changed = en_client.post(
        f"{CATEGORIES}{category.pk}/change/",
        {"name": "改名", "prefix": "X", "opens_at": "08:30", "closes_at": "17:00"},
    )

    assert opened.status_code == 302 and opened["Location"] == "/admin/"
    assert changed.status_code == 302
    category.refresh_from_db()
    assert (category.name, category.prefix) == ("社保通办", "A")


def test_the_form_offers_only_the_halls_zones_and_windows(
    en_client, manager, categories_a, categories_b
):
    en_client.force_login(manager)

    form = en_client.get(f"{CATEGORIES}{categories_a[0].pk}/change/").context["adminform"].form

    assert list(form.fields["zones"].queryset.values_list("name", flat=True)) == ["社保通办"]
    assert sorted(form.fields["windows"].queryset.values_list("hall__code", "number")) == [
        ("HA", 1),
        ("HA", 20),
    ]


def test_a_manager_adds_a_category(english, en_client, manager, hall_a, zone_a, categories_a):
    en_client.force_login(manager)

    response = en_client.post(
        f"{CATEGORIES}add/",
        {
            "hall": hall_a.pk,
            "name": "老年人绿色通道",
            "prefix": "G",
            "sort_order": 9,
            "is_active": "on",
            "zones": [zone_a.pk],
            "opens_at": "09:00",
            "closes_at": "16:00",
            "daily_capacity": 50,
        },
    )

    assert response.status_code == 302
    category = QueueCategory.objects.get(prefix="G")
    assert (category.hall, category.daily_capacity, list(category.zones.all())) == (
        hall_a,
        50,
        [zone_a],
    )


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"prefix": "a1"}, "prefix", "Use one or two capital letters, e.g. A."),
        (
            {"prefix": "B"},
            "__all__",
            "Business category with this Hall and Ticket prefix already exists.",
        ),
        ({"closes_at": "08:00"}, "__all__", "Tickets must stop after they start."),
        ("other_zone", "zones", "other_hall"),
    ],
)
def test_a_bad_category_is_refused_and_nothing_changes(
    english, en_client, manager, hall_a, categories_a, categories_b, change, field, message
):
    en_client.force_login(manager)
    data = {
        "hall": hall_a.pk,
        "name": "新业务",
        "prefix": "N",
        "sort_order": 5,
        "opens_at": "08:30",
        "closes_at": "17:00",
        "daily_capacity": 0,
    }
    if change == "other_zone":
        data["zones"] = [categories_b[0].zones.get().pk]
        message = "Select a valid choice. {} is not one of the available choices.".format(
            data["zones"][0]
        )
    else:
        data.update(change)
    before = list(QueueCategory.objects.values_list("pk", "name", "prefix"))

    response = en_client.post(f"{CATEGORIES}add/", data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [message]
    assert list(QueueCategory.objects.values_list("pk", "name", "prefix")) == before


def test_a_superuser_cannot_mix_halls_in_a_category(
    english, en_client, admin_user, hall_a, categories_a, categories_b
):
    en_client.force_login(admin_user)
    other_zone = categories_b[0].zones.get()

    response = en_client.post(
        f"{CATEGORIES}add/",
        {
            "hall": hall_a.pk,
            "name": "混合业务",
            "prefix": "M",
            "sort_order": 5,
            "zones": [other_zone.pk],
            "opens_at": "08:30",
            "closes_at": "17:00",
            "daily_capacity": 0,
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["zones"] == [
        "Choose only zones and windows of 甲大厅（HA）."
    ]
    assert not QueueCategory.objects.filter(prefix="M").exists()


def test_the_defaults_button_creates_a_halls_categories_once(
    english, en_client, manager, hall_a, zone_a
):
    en_client.force_login(manager)

    page = en_client.get(DEFAULTS)
    created = en_client.post(DEFAULTS, {"hall": hall_a.pk}, follow=True)
    again = en_client.post(DEFAULTS, {"hall": hall_a.pk}, follow=True)

    assert page.status_code == 200
    assert list(page.context["form"].fields["hall"].queryset) == [hall_a]
    assert [str(m) for m in created.context["messages"]] == [
        "2 business categories created for 甲大厅（HA）."
    ]
    assert [str(m) for m in again.context["messages"]] == [
        "甲大厅（HA） already has business categories; nothing was created."
    ]
    assert list(QueueCategory.objects.values_list("prefix", "name")) == [
        ("A", "社保通办"),
        ("B", "专窗业务"),
    ]


def test_the_defaults_of_another_hall_are_refused(english, en_client, manager, hall_b):
    en_client.force_login(manager)

    response = en_client.post(DEFAULTS, {"hall": hall_b.pk})

    assert response.status_code == 200
    assert response.context["form"].errors["hall"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert QueueCategory.objects.count() == 0


def test_a_supervisor_reads_categories_but_cannot_create_defaults(en_client, hall_a, categories_a):
    supervisor = grant(
        make_manager(hall_a, "supervisor_a", role=roles.SUPERVISOR), actions=("view",)
    )
    en_client.force_login(supervisor)

    listed = en_client.get(CATEGORIES)
    defaults = en_client.post(DEFAULTS, {"hall": hall_a.pk})

    assert listed.status_code == 200
    assert 'id="create-default-categories"' not in listed.content.decode()
    assert defaults.status_code == 403


# ---- the hall's screens ----


def test_a_manager_issues_a_kiosk_pairing_code_shown_once(
    english, en_client, manager, hall_a, settings
):
    settings.PORTAL_BASE_URL = "https://hall.example.internal"
    en_client.force_login(manager)

    form = en_client.get(ISSUE)
    response = en_client.post(ISSUE, {"hall": hall_a.pk, "kind": "kiosk", "label": "入口取号机"})

    assert list(form.context["form"].fields["hall"].queryset) == [hall_a]
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    code = re.search(r'id="pairing-code"[^>]*>(\d{8})<', html).group(1)
    link = f"https://hall.example.internal/kiosk/pair/?code={code}"
    assert f'id="pairing-link" href="{link}"' in html
    assert segno.make(link, error="m").svg_inline(scale=5, border=2) in html
    device = HallDevice.objects.get()
    assert (device.hall, device.kind, device.label) == (hall_a, "kiosk", "入口取号机")
    assert device.pairing_code_hash == hash_secret(code)
    assert code not in str(HallDevice.objects.values_list())
    assert device.pairing_expires_at - timezone.now() <= PAIRING_CODE_VALID_FOR
    assert hall_device_pair(code=code, kind="kiosk")[0] == device


def test_a_display_code_links_to_the_big_screens_pairing(english, en_client, manager, hall_a):
    en_client.force_login(manager)

    response = en_client.post(ISSUE, {"hall": hall_a.pk, "kind": "display", "label": ""})

    html = response.content.decode()
    code = re.search(r'id="pairing-code"[^>]*>(\d{8})<', html).group(1)
    assert f"/display/pair/?code={code}" in html
    assert HallDevice.objects.get().kind == "display"


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"kind": "kiosk"}, "hall", "This field is required."),
        (
            {"hall": "other", "kind": "kiosk"},
            "hall",
            "Select a valid choice. That choice is not one of the available choices.",
        ),
        (
            {"hall": "mine", "kind": "tablet"},
            "kind",
            "Select a valid choice. tablet is not one of the available choices.",
        ),
    ],
)
def test_a_bad_pairing_request_is_refused(
    english, en_client, manager, hall_a, hall_b, data, field, message
):
    en_client.force_login(manager)
    data = {**data}
    if "hall" in data:
        data["hall"] = {"mine": hall_a.pk, "other": hall_b.pk}[data["hall"]]

    response = en_client.post(ISSUE, data)

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert HallDevice.objects.count() == 0


def test_the_add_button_leads_to_the_pairing_code_form(english, en_client, manager):
    en_client.force_login(manager)

    listed = en_client.get(DEVICES).content.decode()
    add = en_client.get(f"{DEVICES}add/")

    assert f'href="{ISSUE}"' in listed and 'id="issue-pairing-code"' in listed
    assert add.status_code == 200
    assert "pairing code" in add.context["title"]


def test_the_screens_are_listed_per_hall(english, en_client, manager, hall_a, hall_b, monkeypatch):
    set_clock(monkeypatch, at(9, 0))
    paired(hall_a, label="甲取号机")
    paired(hall_b, label="乙取号机")
    paired(hall_b, HallDevice.Kind.DISPLAY, label="乙大屏")
    en_client.force_login(manager)

    response = en_client.get(DEVICES)

    assert [str(d) for d in response.context["cl"].result_list] == ["甲取号机"]
    html = response.content.decode()
    assert "乙取号机" not in html and "乙大屏" not in html
    assert ">paired<" in html


def test_another_halls_screen_cannot_be_opened_or_revoked(en_client, other_manager, hall_a):
    device, _token = paired(hall_a, label="甲取号机")
    en_client.force_login(other_manager)

    opened = en_client.get(f"{DEVICES}{device.pk}/change/")
    en_client.post(DEVICES, {"action": "revoke_selected", "_selected_action": [device.pk]})

    assert opened.status_code == 302
    device.refresh_from_db()
    assert device.revoked_at is None


def test_a_manager_revokes_a_kiosk_which_then_issues_nothing(
    english, en_client, client, manager, hall_a, categories_a
):
    device, token = paired(hall_a, label="甲取号机")
    en_client.force_login(manager)

    response = en_client.post(
        DEVICES, {"action": "revoke_selected", "_selected_action": [device.pk]}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == ["1 screen revoked."]
    device.refresh_from_db()
    assert device.revoked_at is not None
    kiosk = as_kiosk(client, token)
    assert kiosk.get("/kiosk/")["Location"] == "/kiosk/pair/"
    posted = kiosk.post("/kiosk/tickets/", {"category": categories_a[0].pk, "nonce": "x"})
    assert posted["Location"] == "/kiosk/pair/"
    assert Visit.objects.count() == 0


def test_a_supervisor_reads_the_screens_but_cannot_issue_a_pairing_code(en_client, hall_a):
    from windows import roles

    supervisor = make_manager(hall_a, "supervisor_a", role=roles.SUPERVISOR)
    en_client.force_login(supervisor)

    listing = en_client.get(reverse("admin:windows_halldevice_changelist"))
    response = en_client.post(ISSUE, {"hall": hall_a.pk, "kind": "kiosk"})

    assert listing.status_code == 200
    assert response.status_code == 403
    assert HallDevice.objects.count() == 0


def test_the_hall_managers_group_may_configure_the_queue(en_client, manager_a):
    en_client.force_login(manager_a)  # the group's permissions only

    pages = [
        en_client.get(reverse(f"admin:windows_{model}_changelist")).status_code
        for model in ("queuecategory", "halldevice", "appointmentslot", "appointment")
    ]

    assert pages == [200, 200, 200, 200]


def test_the_hall_form_groups_the_queue_settings(english, en_client, hall_a):
    manager = make_manager(hall_a, "hall_manager")
    en_client.force_login(manager)

    response = en_client.get(reverse("admin:windows_hall_change", args=[hall_a.pk]))

    fieldsets = [
        (name, list(options["fields"]))
        for name, options in response.context["adminform"].model_admin.get_fieldsets(
            response.wsgi_request, hall_a
        )
    ]
    assert fieldsets[2] == (
        "Queue and appointments",
        [
            "queue_recall_limit",
            "display_shows_ratings",
            "booking_miss_limit",
            "booking_miss_days",
            "booking_block_days",
        ],
    )
    assert "Queue and appointments" in response.content.decode()


def test_the_counts_read_the_categorys_own_counter(hall_a, categories_a):
    """issued today is the day's counter: the numbers given out, not the visits left."""
    category = categories_a[0]
    TicketCounter.objects.create(category=category, day=timezone.localdate(), last=7)
    TicketCounter.objects.create(
        category=category, day=timezone.localdate() - dt.timedelta(days=1), last=99
    )
    from django.contrib import admin
    from django.test import RequestFactory

    from windows.admin.queue import QueueCategoryAdmin

    request = RequestFactory().get(CATEGORIES)
    request.user = make_manager(hall_a, "counter_reader")
    row = QueueCategoryAdmin(QueueCategory, admin.site).get_queryset(request).get(pk=category.pk)

    assert (row.issued_count, row.waiting_count) == (7, 0)


def test_the_add_and_change_pages_open(english, en_client, manager, hall_a, categories_a):
    device, _token = paired(hall_a, label="甲取号机")
    en_client.force_login(manager)

    add = en_client.get(f"{CATEGORIES}add/")
    device_page = en_client.get(f"{DEVICES}{device.pk}/change/")
    renamed = en_client.post(f"{DEVICES}{device.pk}/change/", {"label": "入口取号机"})

    assert add.status_code == 200
    assert list(add.context["adminform"].form.fields["zones"].queryset) == list(hall_a.zones.all())
    assert device_page.status_code == 200
    assert ">paired<" in device_page.content.decode()
    assert renamed.status_code == 302
    device.refresh_from_db()
    assert (device.label, device.kind, device.is_paired) == ("入口取号机", "kiosk", True)

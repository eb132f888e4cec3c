"""Private files (issue 11 item 1): every stored file is served only by a view that checks
the user's halls and role; MEDIA_ROOT has no URL.

The four kinds and who gets them (each app's existing rules):

- bulletin workbook (/bulletins/<pk>/download.xlsx): managers and supervisors of the hall;
- complaint attachment (/complaints/<pk>/attachment/): whoever may open the case (its
  hall's managers and supervisors, its handler);
- measure evidence (/rectification/measures/<pk>/evidence/): managers and supervisors;
- staff photo (/staff/<pk>/photo/): managers and supervisors of the hall, the member;
  (/tablet/staff/<pk>/photo/): a paired tablet of a window of the member's hall.

Anonymous users are sent to the login page (the tablet's view: 404), another hall's
manager gets a 404, window staff who are not entitled a 403 (the apps' rule for a role
that never sees a hall's records).
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import clear_url_caches, reverse
from django.utils import timezone

from complaints.models import Channel, Complaint
from evaluations.selectors.tablet import badge_card
from rectification.models import Measure, RectificationChecklist
from reports.models import Bulletin
from tests.evaluations.tablet_factories import as_tablet, paired_tablet
from tests.windows.factories import StaffFactory, WindowFactory, make_manager
from windows import roles

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_SYSTEM = "django.core.files.storage.FileSystemStorage"
IN_MEMORY = "django.core.files.storage.InMemoryStorage"


@pytest.fixture(params=[FILE_SYSTEM, IN_MEMORY], ids=["filesystem", "in-memory"])
def storage(request, settings, tmp_path):
    """The default storage: the file system under a temporary MEDIA_ROOT, or Django's
    in-memory storage (it has no .path: the views use only the storage API)."""
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": request.param},
    }
    return request.param


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@dataclass
class Kind:
    name: str
    url: str
    content: bytes
    filename: str
    content_type: str
    stored: str  # the storage name
    pk: int  # the row's


def _bulletin(hall) -> Kind:
    bulletin = Bulletin.objects.create(
        hall=hall,
        kind="daily",
        period_start=dt.date(2026, 11, 26),
        period_end=dt.date(2026, 11, 26),
        built_at=timezone.now(),
    )
    content = b"PK\x03\x04 bulletin of " + hall.code.encode()
    bulletin.workbook.save(bulletin.workbook_filename, ContentFile(content))
    return Kind(
        "bulletin",
        reverse("bulletins:download", args=[bulletin.pk]),
        content,
        f"bulletin-{hall.code}-daily-20261126.xlsx",
        XLSX,
        bulletin.workbook.name,
        bulletin.pk,
    )


def _complaint(hall, handler=None) -> Kind:
    complaint = Complaint.objects.create(
        hall=hall,
        channel=Channel.ON_SITE,
        received_at=timezone.now(),
        due_date=dt.date(2099, 1, 1),
        handler=handler,
    )
    content = b"%PDF-1.4 the citizen's attachment"
    complaint.attachment.save("receipt.pdf", ContentFile(content))
    return Kind(
        "complaint",
        reverse("complaints:attachment", args=[complaint.pk]),
        content,
        "receipt.pdf",
        "application/pdf",
        complaint.attachment.name,
        complaint.pk,
    )


def _measure(hall) -> Kind:
    checklist = RectificationChecklist.objects.create(
        hall=hall,
        title="整改清单",
        source=RectificationChecklist.Source.COMPLAINT,
        period_start=dt.date(2026, 11, 1),
        period_end=dt.date(2026, 12, 31),
    )
    measure = Measure.objects.create(
        checklist=checklist, order=1, title="标画一米线", deadline=dt.date(2026, 12, 1)
    )
    content = b"\x89PNG evidence photo"
    measure.evidence_file.save("line.png", ContentFile(content))
    return Kind(
        "measure",
        reverse("rectification:evidence", args=[measure.pk]),
        content,
        "line.png",
        "image/png",
        measure.evidence_file.name,
        measure.pk,
    )


def _photo(staff) -> Kind:
    content = b"\xff\xd8\xff badge photo"
    staff.photo.save("face.jpg", ContentFile(content))
    return Kind(
        "photo",
        reverse("staff-photo", args=[staff.pk]),
        content,
        f"{staff.badge_no}.jpg",
        "image/jpeg",
        staff.photo.name,
        staff.pk,
    )


def make(kind: str, hall) -> Kind:
    if kind == "bulletin":
        return _bulletin(hall)
    if kind == "complaint":
        return _complaint(hall)
    if kind == "measure":
        return _measure(hall)
    return _photo(StaffFactory(hall=hall))


KINDS = ["bulletin", "complaint", "measure", "photo"]


def assert_served(response, kind: Kind) -> None:
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == kind.content
    assert response["Content-Type"] == kind.content_type
    assert response["Content-Disposition"] == f'attachment; filename="{kind.filename}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def assert_refused(response, kind: Kind, status: int) -> None:
    assert response.status_code == status
    body = b"" if response.streaming else response.content
    assert kind.content not in body


# ---- the matrix: anonymous, another hall, window staff, supervisor, manager ----


@pytest.mark.parametrize("kind_name", KINDS)
def test_the_halls_manager_gets_the_exact_bytes(client, storage, hall_a, manager_a, kind_name):
    kind = make(kind_name, hall_a)
    client.force_login(manager_a)

    assert_served(client.get(kind.url), kind)


@pytest.mark.parametrize("kind_name", KINDS)
def test_anonymous_is_sent_to_the_login_page(client, media, hall_a, kind_name):
    kind = make(kind_name, hall_a)

    response = client.get(kind.url)

    assert_refused(response, kind, 302)
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("kind_name", KINDS)
def test_another_halls_manager_gets_a_404(client, media, hall_a, manager_b, kind_name):
    kind = make(kind_name, hall_a)
    client.force_login(manager_b)

    assert_refused(client.get(kind.url), kind, 404)


@pytest.mark.parametrize("kind_name", KINDS)
def test_window_staff_not_entitled_get_a_403(client, media, hall_a, kind_name):
    kind = make(kind_name, hall_a)
    client.force_login(StaffFactory(hall=hall_a).user)

    assert_refused(client.get(kind.url), kind, 403)


@pytest.mark.parametrize("kind_name", KINDS)
def test_the_halls_supervisor_gets_the_file(client, media, hall_a, kind_name):
    """Supervisors read every record of their halls (bulletins, cases, measures, staff)."""
    kind = make(kind_name, hall_a)
    client.force_login(make_manager(hall_a, "supervisor_a", role=roles.SUPERVISOR))

    assert_served(client.get(kind.url), kind)


@pytest.mark.parametrize("kind_name", KINDS)
def test_another_halls_supervisor_gets_a_404(client, media, hall_a, hall_b, kind_name):
    kind = make(kind_name, hall_a)
    client.force_login(make_manager(hall_b, "supervisor_b", role=roles.SUPERVISOR))

    assert_refused(client.get(kind.url), kind, 404)


def test_a_cases_handler_gets_its_attachment_and_no_other(client, media, hall_a):
    handler = StaffFactory(hall=hall_a).user
    own = _complaint(hall_a, handler=handler)
    other = _complaint(hall_a)
    client.force_login(handler)

    assert_served(client.get(own.url), own)
    assert_refused(client.get(other.url), other, 404)


def test_a_staff_member_gets_their_own_photo(client, media, hall_a):
    staff = StaffFactory(hall=hall_a)
    kind = _photo(staff)
    client.force_login(staff.user)

    assert_served(client.get(kind.url), kind)


def test_a_blank_or_missing_file_is_a_404(client, media, hall_a, manager_a):
    staff = StaffFactory(hall=hall_a)
    client.force_login(manager_a)
    assert client.get(reverse("staff-photo", args=[staff.pk])).status_code == 404

    kind = _photo(staff)
    default_storage.delete(kind.stored)
    assert client.get(kind.url).status_code == 404


def test_an_unknown_row_is_a_404(client, media, manager_a):
    client.force_login(manager_a)
    for name in ("bulletins:download", "complaints:attachment", "rectification:evidence"):
        assert client.get(reverse(name, args=[999999])).status_code == 404
    assert client.get(reverse("staff-photo", args=[999999])).status_code == 404


# ---- the tablet's badge photo ----


def test_a_tablet_of_the_halls_window_gets_the_badge_photo(client, storage, hall_a):
    staff = StaffFactory(hall=hall_a)
    kind = _photo(staff)
    _device, token = paired_tablet(WindowFactory(hall=hall_a))
    url = reverse("tablet:staff-photo", args=[staff.pk])

    assert url == f"/tablet/staff/{staff.pk}/photo/"
    assert badge_card(staff).photo_url == url
    assert_served(as_tablet(client, token).get(url), kind)


def test_a_tablet_of_another_hall_gets_a_404(client, media, hall_a, hall_b):
    staff = StaffFactory(hall=hall_a)
    kind = _photo(staff)
    _device, token = paired_tablet(WindowFactory(hall=hall_b))

    response = as_tablet(client, token).get(reverse("tablet:staff-photo", args=[staff.pk]))

    assert_refused(response, kind, 404)


def test_no_tablet_or_a_revoked_one_gets_a_404(client, media, hall_a):
    staff = StaffFactory(hall=hall_a)
    kind = _photo(staff)
    url = reverse("tablet:staff-photo", args=[staff.pk])
    device, token = paired_tablet(WindowFactory(hall=hall_a))

    assert_refused(client.get(url), kind, 404)
    assert_refused(as_tablet(client, "not-a-token").get(url), kind, 404)
    device.revoked_at = timezone.now()
    device.save()
    assert_refused(as_tablet(client, token).get(url), kind, 404)


def test_a_signed_in_manager_is_not_a_tablet(client, media, hall_a, manager_a):
    staff = StaffFactory(hall=hall_a)
    kind = _photo(staff)
    client.force_login(manager_a)

    response = client.get(reverse("tablet:staff-photo", args=[staff.pk]))

    assert_refused(response, kind, 404)


# ---- the production proxies: X-Accel-Redirect (nginx), X-Sendfile (Apache) ----


@pytest.mark.parametrize("kind_name", KINDS)
def test_nginx_mode_answers_an_internal_redirect(
    client, settings, media, hall_a, manager_a, kind_name
):
    settings.PRIVATE_FILES_SERVER = "nginx"
    settings.PRIVATE_FILES_INTERNAL_PREFIX = "/protected-media/"
    kind = make(kind_name, hall_a)
    client.force_login(manager_a)

    response = client.get(kind.url)

    assert response.status_code == 200
    assert response.content == b""
    assert response["X-Accel-Redirect"] == f"/protected-media/{kind.stored}"
    assert response["Content-Type"] == kind.content_type
    assert response["Content-Disposition"] == f'attachment; filename="{kind.filename}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "X-Sendfile" not in response


def test_nginx_mode_refuses_as_the_default_does(client, settings, media, hall_a, manager_b):
    settings.PRIVATE_FILES_SERVER = "nginx"
    kind = _complaint(hall_a)
    client.force_login(manager_b)

    response = client.get(kind.url)

    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response


def test_nginx_mode_quotes_a_non_ascii_name(client, settings, media, hall_a, manager_a):
    settings.PRIVATE_FILES_SERVER = "nginx"
    complaint = Complaint.objects.create(
        hall=hall_a,
        channel=Channel.ON_SITE,
        received_at=timezone.now(),
        due_date=dt.date(2099, 1, 1),
    )
    complaint.attachment.save("投诉 材料.pdf", ContentFile(b"%PDF"))
    client.force_login(manager_a)

    response = client.get(reverse("complaints:attachment", args=[complaint.pk]))

    directory, name = complaint.attachment.name.rsplit("/", 1)
    assert name == "投诉_材料.pdf"  # the storage's valid name
    assert response["X-Accel-Redirect"] == (
        f"/protected-media/{directory}/%E6%8A%95%E8%AF%89_%E6%9D%90%E6%96%99.pdf"
    )
    assert "filename*=utf-8''%E6%8A%95%E8%AF%89" in response["Content-Disposition"]


@pytest.mark.parametrize("kind_name", KINDS)
def test_apache_mode_answers_x_sendfile(client, settings, media, hall_a, manager_a, kind_name):
    settings.PRIVATE_FILES_SERVER = "apache"
    settings.PRIVATE_FILES_SENDFILE_ROOT = "/srv/hall/media"
    kind = make(kind_name, hall_a)
    client.force_login(manager_a)

    response = client.get(kind.url)

    assert response.status_code == 200
    assert response.content == b""
    assert response["X-Sendfile"] == f"/srv/hall/media/{kind.stored}"
    assert response["Content-Disposition"] == f'attachment; filename="{kind.filename}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "X-Accel-Redirect" not in response


def test_apache_mode_defaults_to_media_root(client, settings, media, hall_a, manager_a):
    settings.PRIVATE_FILES_SERVER = "apache"
    settings.PRIVATE_FILES_SENDFILE_ROOT = ""
    kind = _measure(hall_a)
    client.force_login(manager_a)

    response = client.get(kind.url)

    assert response["X-Sendfile"] == f"{media}/{kind.stored}"


# ---- MEDIA_ROOT has no URL, even with DEBUG on (`make run`) ----


@pytest.fixture
def debug_urlconf(settings, media):
    """hall.urls as `make run` (hall.settings.local, DEBUG true) builds it."""
    import hall.urls

    settings.DEBUG = True
    importlib.reload(hall.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(hall.urls)
    clear_url_caches()


@pytest.mark.parametrize("kind_name", KINDS)
def test_the_media_url_serves_nothing_under_make_run(client, debug_urlconf, hall_a, kind_name):
    """Fails on the code before this change: DEBUG mounted MEDIA_ROOT at /media/ for all."""
    kind = make(kind_name, hall_a)

    response = client.get(f"/media/{kind.stored}")

    assert response.status_code == 404
    assert kind.content not in response.content


def test_the_local_settings_mount_no_media(settings):
    """`make run` uses hall.settings.local: the URLconf it loads has no media route."""
    import hall.urls

    settings.DEBUG = True
    try:
        module = importlib.reload(hall.urls)
        routes = [str(pattern.pattern) for pattern in module.urlpatterns]
    finally:
        settings.DEBUG = False
        importlib.reload(hall.urls)
        clear_url_caches()
    assert not [route for route in routes if "media" in route]


# ---- the pages and the admin link the views, never a media URL ----


def test_the_case_page_links_the_attachment_view(client, media, hall_a, manager_a):
    kind = _complaint(hall_a)
    client.force_login(manager_a)

    html = client.get(reverse("complaints:detail", args=[kind.pk])).content.decode()

    assert f'href="{kind.url}"' in html
    assert "/media/" not in html


def test_the_admin_links_the_views(client, media, hall_a, manager_a):
    user_model = get_user_model()
    superuser = user_model.objects.create_superuser("root", "root@example.com", "x")
    client.force_login(superuser)
    bulletin, complaint, measure = _bulletin(hall_a), _complaint(hall_a), _measure(hall_a)
    staff = StaffFactory(hall=hall_a)
    photo = _photo(staff)
    pages = [
        (reverse("admin:reports_bulletin_change", args=[bulletin.pk]), bulletin),
        (reverse("admin:complaints_complaint_change", args=[complaint.pk]), complaint),
        (reverse("admin:rectification_measure_change", args=[measure.pk]), measure),
        (reverse("admin:windows_staff_change", args=[staff.pk]), photo),
        (reverse("admin:windows_staff_changelist"), photo),
    ]
    for page, kind in pages:
        html = client.get(page).content.decode()
        assert f'href="{kind.url}"' in html or f'src="{kind.url}"' in html, page
        assert "/media/" not in html, page

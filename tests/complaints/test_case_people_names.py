"""The case pages name people, not logins (issue 12 item 4): a window staff member's login
is their badge number; the timeline, the handler and the case list show the name on the
badge card; a manager without a card by full name."""

import re

import pytest
from django.urls import reverse

from complaints.services.complaints import complaint_assign, complaint_start, complaint_verify
from tests.complaints.test_complaint_pages import receive
from tests.windows.factories import StaffFactory, UserFactory
from windows import roles

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_the_timeline_handler_and_list_show_names_not_logins(en_client, hall_a, manager_a):
    manager_a.first_name = "李丽"
    manager_a.save()
    wang = StaffFactory(
        hall=hall_a,
        display_name="王小明",
        user=UserFactory(username="lh005", role=roles.WINDOW_STAFF),
    )
    case = receive(hall_a, manager_a)
    complaint_verify(complaint=case, by=manager_a)
    complaint_assign(complaint=case, by=manager_a, handler=wang.user)
    complaint_start(complaint=case, by=wang.user)
    en_client.force_login(manager_a)

    detail = en_client.get(reverse("complaints:detail", args=[case.pk])).content.decode()
    listing = en_client.get(reverse("complaints:list")).content.decode()

    timeline = detail.split('id="case-timeline"')[1].split("</ol>")[0]
    who = re.findall(r"</span>\n\s*· (.+)\n", timeline)
    assert who == ["李丽", "李丽", "李丽", "王小明"]
    assert '<dd class="col-sm-8" id="case-handler">王小明</dd>' in detail
    assert "lh005" not in timeline
    assert "<td>王小明</td>" in listing
    assert "lh005" not in listing

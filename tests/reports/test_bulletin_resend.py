"""The resend service: a manager of the bulletin's hall marks every delivery pending and one
send goes out after the commit (each active recipient emailed once); nobody else may."""

import pytest
from django.core.exceptions import PermissionDenied

from reports.models import BulletinDelivery, BulletinRecipient
from reports.services import bulletin_build, bulletin_resend, bulletin_send
from tests.reports.test_bulletins import MONDAY, make_period_data
from tests.windows.factories import make_manager
from windows import roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(hall_a, mailoutbox):
    """A daily bulletin already emailed once to its two active recipients."""
    make_period_data(hall_a)
    BulletinRecipient.objects.create(hall=hall_a, kind="daily", email="a@example.com")
    BulletinRecipient.objects.create(hall=hall_a, kind="daily", email="b@example.com")
    BulletinRecipient.objects.create(
        hall=hall_a, kind="daily", email="gone@example.com", is_active=False
    )
    bulletin = bulletin_build(hall=hall_a, kind="daily", day=MONDAY)
    bulletin_send(bulletin=bulletin)
    mailoutbox.clear()
    return bulletin


def statuses(bulletin):
    return sorted(bulletin.deliveries.values_list("email", "status", "attempts"))


def test_a_managers_resend_queues_one_send_after_commit(
    sent, manager_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert bulletin_resend(bulletin=sent, by=manager_a) == 2
        assert mailoutbox == []  # nothing leaves before the commit

    assert len(callbacks) == 1
    assert sorted(m.to[0] for m in mailoutbox) == ["a@example.com", "b@example.com"]
    assert statuses(sent) == [("a@example.com", "sent", 2), ("b@example.com", "sent", 2)]


@pytest.mark.parametrize("who", ["another_halls_manager", "supervisor"])
def test_only_a_manager_of_the_hall_may_resend(
    who, sent, hall_a, hall_b, mailoutbox, django_capture_on_commit_callbacks
):
    user = (
        make_manager(hall_b, "manager_b")
        if who == "another_halls_manager"
        else make_manager(hall_a, "supervisor_a", role=roles.SUPERVISOR)
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(PermissionDenied):
            bulletin_resend(bulletin=sent, by=user)

    assert callbacks == []
    assert mailoutbox == []
    assert {status for _email, status, _attempts in statuses(sent)} == {
        BulletinDelivery.Status.SENT
    }

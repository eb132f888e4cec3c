"""The questionnaire pages: managers' weekly progress, and the tablet's questionnaire mode."""

import datetime as dt
import re
import uuid

import pytest
from django.utils import timezone

from evaluations.models import Answer, Questionnaire, QuestionnaireResponse
from evaluations.services.devices import tablet_revoke
from evaluations.services.surveys import answer_field_name, questionnaire_create_default
from evaluations.tablet.auth import DEVICE_COOKIE
from rectification.models import Measure, RectificationChecklist
from tests.evaluations.test_surveys import full_answers, paired_tablet, questions_of, submit
from tests.windows.factories import StaffFactory, UserFactory, make_manager
from windows import roles
from windows.models import HallAccess

pytestmark = pytest.mark.django_db


def this_monday() -> dt.date:
    today = timezone.localdate()
    return today - dt.timedelta(days=today.weekday())


def at_noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


@pytest.fixture
def questionnaire_a(hall_a):
    return questionnaire_create_default(hall=hall_a)


@pytest.fixture
def responses_a(questionnaire_a):
    """Three responses this week, two last week (hall A)."""
    monday = this_monday()
    for level in (5, 4, 3):
        submit(questionnaire_a, when=at_noon(monday), level=level)
    for level in (2, 2):
        submit(questionnaire_a, when=at_noon(monday - dt.timedelta(days=7)), level=level)
    return questionnaire_a


@pytest.fixture
def responses_b(hall_b):
    questionnaire = questionnaire_create_default(hall=hall_b)
    submit(questionnaire, when=at_noon(this_monday()), level=1)
    return questionnaire


def form_post(questionnaire, **answers) -> dict:
    data = {
        answer_field_name(pk): value for pk, value in full_answers(questionnaire, **answers).items()
    }
    data["client_id"] = str(uuid.uuid4())
    return data


# --- the managers' page ------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/surveys/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/surveys/"


def test_window_staff_may_not_see_the_questionnaire_results(client, hall_a, responses_a):
    staff = StaffFactory(hall=hall_a)
    client.force_login(staff.user)

    response = client.get("/surveys/")

    assert response.status_code == 403


def test_a_manager_sees_this_weeks_progress_and_the_last_eight_weeks(
    en_client, english, manager_a, responses_a, responses_b
):
    en_client.force_login(manager_a)

    response = en_client.get("/surveys/")

    html = response.content.decode()
    monday = this_monday()
    last_monday = monday - dt.timedelta(days=7)
    assert response.status_code == 200
    assert response.context["hall"].code == "HA"
    assert "甲大厅" in html
    assert "乙大厅" not in html
    assert "3 of 50 questionnaires · 47 still to go" in html
    assert 'aria-valuenow="3"' in html
    assert 'style="width: 6%"' in html
    weeks = response.context["weeks"]
    assert [(w.week_start, w.count, w.below_quota) for w in weeks[:3]] == [
        (monday, 3, False),
        (last_monday, 2, True),
        (monday - dt.timedelta(days=14), 0, True),
    ]
    assert len(weeks) == 8
    row = re.search(rf'<tr id="week-{last_monday:%Y-%m-%d}".*?</tr>', html, re.S).group(0)
    assert "survey-week-below" in row
    assert "below quota" in row
    row = re.search(rf'<tr id="week-{monday:%Y-%m-%d}".*?</tr>', html, re.S).group(0)
    assert "in progress" in row
    assert "survey-week-below" not in row
    assert f"Results of the week of {monday:%Y-%m-%d} (3 responses)" in html
    assert "average 4.00 of 5" in html
    assert "yes 100.00% (3 yes, 0 no)" in html
    assert "<div>10分钟以内: 3</div>" in html


def test_a_week_that_reached_its_quota_says_so_in_the_summary_and_the_table(
    en_client, english, hall_a, manager_a, responses_a
):
    hall_a.weekly_questionnaire_quota = 3
    hall_a.save()
    en_client.force_login(manager_a)

    html = en_client.get("/surveys/").content.decode()

    monday = this_monday()
    assert "3 of 3 questionnaires · quota reached" in html
    row = re.search(rf'<tr id="week-{monday:%Y-%m-%d}".*?</tr>', html, re.S).group(0)
    assert "quota met" in row  # not "in progress": the same rule as the summary
    assert "in progress" not in row


def test_a_manager_picks_a_past_week(en_client, english, manager_a, responses_a):
    en_client.force_login(manager_a)
    last_monday = this_monday() - dt.timedelta(days=7)

    response = en_client.get(f"/surveys/?week={last_monday + dt.timedelta(days=3):%Y-%m-%d}")

    assert response.status_code == 200
    assert response.context["selected"].week_start == last_monday
    assert (
        f"Results of the week of {last_monday:%Y-%m-%d} (2 responses)" in response.content.decode()
    )
    assert "average 2.00 of 5" in response.content.decode()


@pytest.mark.parametrize("week", ["2026-13-01", "last", "2999-01-04"])
def test_a_bad_or_future_week_is_not_found(client, manager_a, responses_a, week):
    client.force_login(manager_a)

    assert client.get(f"/surveys/?week={week}").status_code == 404


def test_a_manager_of_another_hall_does_not_see_this_halls_responses(
    en_client, english, manager_b, responses_a, responses_b
):
    en_client.force_login(manager_b)

    own = en_client.get("/surveys/")
    other = en_client.get("/surveys/?hall=HA")

    assert own.status_code == 200
    assert own.context["hall"].code == "HB"
    assert own.context["halls"] == [own.context["hall"]]
    assert "1 of 50 questionnaires" in own.content.decode()
    assert "甲大厅" not in own.content.decode()
    assert other.status_code == 404


def test_a_supervisor_of_two_halls_chooses_the_hall(
    en_client, english, hall_a, hall_b, responses_a, responses_b
):
    supervisor = make_manager(hall_a, "supervisor", role=roles.SUPERVISOR)
    HallAccess.objects.create(user=supervisor, hall=hall_b)
    en_client.force_login(supervisor)

    first = en_client.get("/surveys/")
    second = en_client.get("/surveys/?hall=HB")

    assert first.context["hall"].code == "HA"
    assert 'id="hall-selector"' in first.content.decode()
    assert second.context["hall"].code == "HB"
    assert "1 of 50 questionnaires" in second.content.decode()


def test_a_manager_without_halls_is_told_so(en_client, english):
    user = UserFactory(username="nohall", role=roles.HALL_MANAGER, is_staff=True)
    en_client.force_login(user)

    response = en_client.get("/surveys/")

    assert response.status_code == 200
    assert "No hall has been granted to your account yet." in response.content.decode()


def test_the_results_page_takes_no_post(client, manager_a):
    client.force_login(manager_a)

    assert client.post("/surveys/").status_code == 405


# --- the tablet's questionnaire mode ------------------------------------------------------


def test_an_unpaired_tablet_gets_the_not_paired_page(en_client, english, questionnaire_a):
    response = en_client.get("/surveys/fill/")

    assert response.status_code == 401
    assert "This tablet is not paired." in response.content.decode()
    assert en_client.post("/surveys/fill/", form_post(questionnaire_a)).status_code == 401
    assert en_client.get("/surveys/fill/thanks/").status_code == 401
    assert QuestionnaireResponse.objects.count() == 0


def test_a_revoked_tablet_gets_the_not_paired_page(client, hall_a, questionnaire_a):
    device, token = paired_tablet(hall_a)
    tablet_revoke(device=device)
    client.cookies[DEVICE_COOKIE] = token

    response = client.post("/surveys/fill/", form_post(questionnaire_a))

    assert response.status_code == 401
    assert QuestionnaireResponse.objects.count() == 0


def test_window_staff_signed_in_without_a_tablet_cannot_fill(client, hall_a, questionnaire_a):
    client.force_login(StaffFactory(hall=hall_a).user)

    assert client.get("/surveys/fill/?hall=HA").status_code == 401


@pytest.fixture
def tablet_client(client, hall_a, questionnaire_a, hall_b):
    questionnaire_create_default(hall=hall_b)
    device, token = paired_tablet(hall_a, number=27)
    client.cookies[DEVICE_COOKIE] = token
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.device = device
    return client


def test_a_paired_tablet_shows_its_halls_questionnaire(tablet_client, english, questionnaire_a):
    response = tablet_client.get("/surveys/fill/")

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["questionnaire"] == questionnaire_a
    assert "甲大厅" in html
    assert html.count('class="card shadow-sm mb-3 survey-question') == 6
    assert "办事便利度：您对本次办事的便利程度是否满意？" in html
    assert ">very satisfied</label>" in html
    assert ">30分钟以上</label>" in html
    assert 'name="client_id"' in html
    assert 'href="/tablet/"' in html


def test_a_tablet_submits_the_questionnaire_and_thanks_the_citizen(
    tablet_client, english, questionnaire_a
):
    data = form_post(questionnaire_a, level="4", yes="no", text="很方便")

    response = tablet_client.post("/surveys/fill/", data)

    assert response.status_code == 302
    assert response["Location"] == "/surveys/fill/thanks/"
    stored = QuestionnaireResponse.objects.get()
    assert stored.device == tablet_client.device
    assert stored.hall == questionnaire_a.hall
    assert str(stored.client_id) == data["client_id"]
    assert stored.week_start == this_monday()
    assert sorted(stored.answers.exclude(level=None).values_list("level", flat=True)) == [4, 4, 4]
    assert stored.answers.get(question__kind="free_text").text == "很方便"
    thanks = tablet_client.get("/surveys/fill/thanks/")
    assert "Thank you for your answers!" in thanks.content.decode()
    assert 'content="10; url=/tablet/"' in thanks.content.decode()
    assert 'id="back-link" href="/tablet/"' in thanks.content.decode()


def test_the_same_form_sent_twice_stores_one_response(tablet_client, questionnaire_a):
    data = form_post(questionnaire_a)

    tablet_client.post("/surveys/fill/", data)
    again = tablet_client.post("/surveys/fill/", data)

    assert again.status_code == 302
    assert QuestionnaireResponse.objects.count() == 1


@pytest.mark.parametrize(
    ("order", "value", "message"),
    [
        (1, "", "Please answer this question."),
        (1, "6", "Choose a level from 1 to 5."),
        (2, "maybe", "Answer yes or no."),
        (5, "1小时", "Choose one of the answers offered."),
        (6, "意" * 501, "Keep your answer to 500 characters (it has 501)."),
    ],
)
def test_a_bad_answer_is_shown_next_to_its_question_and_nothing_is_stored(
    tablet_client, english, questionnaire_a, order, value, message
):
    question = questions_of(questionnaire_a)[order - 1]
    data = form_post(questionnaire_a)
    data[answer_field_name(question.pk)] = value

    response = tablet_client.post("/surveys/fill/", data)

    assert response.status_code == 200
    assert response.context["form"].errors == {answer_field_name(question.pk): [message]}
    html = response.content.decode()
    block = re.search(rf'id="q-{order}".*?</fieldset>', html, re.S).group(0)
    assert f'<div class="text-danger fs-5 mt-2 survey-error">{message}</div>' in block
    assert f'value="{data["client_id"]}"' in html
    assert QuestionnaireResponse.objects.count() == 0
    assert Answer.objects.count() == 0


def test_a_bad_submission_id_is_refused(tablet_client, english, questionnaire_a):
    data = {**form_post(questionnaire_a), "client_id": "not-a-uuid"}

    response = tablet_client.post("/surveys/fill/", data)

    assert response.status_code == 200
    assert "Enter a valid UUID." in response.content.decode()
    assert QuestionnaireResponse.objects.count() == 0


def test_a_hall_without_a_questionnaire_in_use_says_so(tablet_client, english, questionnaire_a):
    Questionnaire.objects.filter(pk=questionnaire_a.pk).update(is_active=False)

    response = tablet_client.get("/surveys/fill/")
    posted = tablet_client.post("/surveys/fill/", form_post(questionnaire_a))

    assert response.status_code == 200
    assert "No questionnaire is in use in this hall." in response.content.decode()
    assert posted.status_code == 200
    assert QuestionnaireResponse.objects.count() == 0


# --- a manager's preview -------------------------------------------------------------------


def test_a_manager_previews_the_questionnaire_and_nothing_is_stored(
    en_client, english, manager_a, questionnaire_a
):
    en_client.force_login(manager_a)

    page = en_client.get("/surveys/fill/?hall=HA")
    sent = en_client.post("/surveys/fill/?hall=HA", form_post(questionnaire_a))

    assert page.status_code == 200
    assert "Preview: answers sent from this page are checked and not stored." in (
        page.content.decode()
    )
    assert sent.status_code == 200
    assert "This was a preview: the answers were checked and not stored." in (sent.content.decode())
    assert QuestionnaireResponse.objects.count() == 0
    assert Answer.objects.count() == 0


def test_a_preview_checks_the_answers(en_client, english, manager_a, questionnaire_a):
    en_client.force_login(manager_a)
    first = questions_of(questionnaire_a)[0]
    data = {**form_post(questionnaire_a), answer_field_name(first.pk): "9"}

    response = en_client.post("/surveys/fill/", data)

    assert response.context["form"].errors == {
        answer_field_name(first.pk): ["Choose a level from 1 to 5."]
    }
    assert QuestionnaireResponse.objects.count() == 0


def test_a_manager_cannot_preview_another_halls_questionnaire(client, manager_b, questionnaire_a):
    client.force_login(manager_b)

    assert client.get("/surveys/fill/?hall=HA").status_code == 404


# --- turning a week's results into a rectification measure -------------------------------


@pytest.fixture
def checklist_a(hall_a):
    return RectificationChecklist.objects.create(
        hall=hall_a, title="满意度提升措施清单", source="questionnaire",
        period_start=dt.date(2026, 10, 1), period_end=dt.date(2026, 12, 31),
    )  # fmt: skip


@pytest.fixture
def checklist_b(hall_b):
    return RectificationChecklist.objects.create(
        hall=hall_b, title="乙大厅清单", source="questionnaire",
        period_start=dt.date(2026, 10, 1), period_end=dt.date(2026, 12, 31),
    )  # fmt: skip


def spawn_panel(response) -> dict:
    """The context of the measure form rectification adds to the page (its panel hook)."""
    (panel,) = [
        p for p in response.context["panels"] if p.template == "rectification/_spawn_form.html"
    ]
    return panel.context


def spawn_data(checklist, /, **changes) -> dict:
    data = {
        "checklist": checklist.pk, "title": "缩短等候时间",
        "deadline": "2026-12-20", "responsible_person": "",
    } | changes  # fmt: skip
    return {f"measure-{name}": value for name, value in data.items()}


def measure_url(hall_code: str, week: dt.date) -> str:
    return f"/rectification/from-week/?hall={hall_code}&week={week:%Y-%m-%d}"


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_a_manager_sees_the_measure_form_on_a_week_with_responses(
    en_client, english, manager_a, responses_a, checklist_a
):
    en_client.force_login(manager_a)
    monday = this_monday()

    page = en_client.get(f"/surveys/?week={monday:%Y-%m-%d}")
    empty = en_client.get(f"/surveys/?week={monday - dt.timedelta(days=14):%Y-%m-%d}")

    form = spawn_panel(page)["spawn_form"]
    assert (
        spawn_panel(page)["spawn_action"]
        == f"/rectification/from-week/?hall=HA&week={monday:%Y-%m-%d}"
    )
    assert list(form.fields["checklist"].queryset) == [checklist_a]
    assert list(form.fields["responsible_person"].queryset) == [manager_a]
    assert form["title"].value() == (
        f"Improve on the questionnaire results of the week of {monday:%Y-%m-%d}"
    )
    assert b'id="spawn-measure"' in page.content
    assert b'id="spawn-measure"' not in empty.content


def test_a_manager_turns_a_weeks_results_into_a_measure(
    en_client, english, hall_a, manager_a, responses_a, checklist_a
):
    staff = StaffFactory(hall=hall_a)
    last_monday = this_monday() - dt.timedelta(days=7)
    en_client.force_login(manager_a)

    response = en_client.post(
        measure_url("HA", last_monday + dt.timedelta(days=2)),
        spawn_data(checklist_a, responsible_person=staff.user.pk),
        follow=True,
    )

    measure = Measure.objects.get()
    assert response.redirect_chain == [(f"/surveys/?hall=HA&week={last_monday:%Y-%m-%d}", 302)]
    assert (
        measure.checklist, measure.order, measure.title, measure.deadline,
        measure.responsible_person, measure.questionnaire_week, measure.complaint,
        measure.status,
    ) == (
        checklist_a, 1, "缩短等候时间", dt.date(2026, 12, 20), staff.user, last_monday, None,
        Measure.Status.NOT_STARTED,
    )  # fmt: skip
    assert messages_of(response) == [
        "Measure “缩短等候时间” added to the checklist “满意度提升措施清单”. "
        '<a class="alert-link" id="spawned-measure" '
        f'href="/rectification/measures/{measure.pk}/">Open the measure</a>'
    ]
    assert list(spawn_panel(response)["spawned"]) == [measure]


NOT_A_CHOICE = "Select a valid choice. That choice is not one of the available choices."


@pytest.mark.parametrize(
    ("week_back", "change", "message"),
    [
        (14, {}, "The hall has no questionnaire responses in that week."),
        (0, {"deadline": ""}, "Deadline: This field is required."),
        (0, {"title": ""}, "Measure: This field is required."),
        (0, {"checklist": "other hall"}, f"Checklist: {NOT_A_CHOICE}"),
    ],
)
def test_a_refused_week_measure_shows_the_error_and_stores_nothing(
    en_client, english, manager_a, responses_a, checklist_a, checklist_b, week_back, change, message
):
    week = this_monday() - dt.timedelta(days=week_back)
    change = {k: checklist_b.pk if v == "other hall" else v for k, v in change.items()}
    en_client.force_login(manager_a)

    response = en_client.post(
        measure_url("HA", week), spawn_data(checklist_a, **change), follow=True
    )

    assert response.redirect_chain == [(f"/surveys/?hall=HA&week={week:%Y-%m-%d}", 302)]
    assert messages_of(response) == [message]
    assert Measure.objects.count() == 0


@pytest.mark.parametrize("week", ["2026-13-01", "2999-01-04"])
def test_a_bad_or_future_week_cannot_spawn_a_measure(
    client, manager_a, responses_a, checklist_a, week
):
    client.force_login(manager_a)

    response = client.post(
        f"/rectification/from-week/?hall=HA&week={week}", spawn_data(checklist_a)
    )

    assert response.status_code == 404
    assert Measure.objects.count() == 0


def test_only_a_manager_of_the_hall_turns_a_week_into_a_measure(
    client, hall_a, manager_b, responses_a, responses_b, checklist_a
):
    url = measure_url("HA", this_monday())
    supervisor = make_manager(hall_a, "supervisor", role=roles.SUPERVISOR)
    staff = StaffFactory(hall=hall_a).user
    seen = {}

    for who, user in (("supervisor", supervisor), ("staff", staff), ("other hall", manager_b)):
        client.force_login(user)
        page = client.get("/surveys/?hall=HA")
        seen[who] = (
            page.status_code,
            b'id="spawn-measure"' in page.content,
            client.post(url, spawn_data(checklist_a)).status_code,
        )

    assert seen == {
        "supervisor": (200, False, 403),
        "staff": (403, False, 403),
        "other hall": (404, False, 404),
    }
    assert client.get(url).status_code == 405
    assert Measure.objects.count() == 0

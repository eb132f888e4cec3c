"""The admin of questionnaires and their responses, scoped to the user's halls."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages

from evaluations.models import Question, Questionnaire, QuestionnaireResponse
from evaluations.services.surveys import questionnaire_create_default
from tests.evaluations.test_surveys import at, submit
from tests.windows.factories import HallFactory, UserFactory, make_manager
from windows import roles

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/evaluations/questionnaire/"
CREATE_DEFAULT = "/admin/evaluations/questionnaire/create-default/"
RESPONSES = "/admin/evaluations/questionnaireresponse/"


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def question_rows(rows: list[dict], *, initial: int = 0) -> dict:
    data = {
        "questions-TOTAL_FORMS": str(len(rows)),
        "questions-INITIAL_FORMS": str(initial),
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }
    for n, row in enumerate(rows):
        for key, value in row.items():
            data[f"questions-{n}-{key}"] = value
    return data


def new_questionnaire(hall, rows: list[dict]) -> dict:
    return {
        "hall": hall.pk,
        "title": "窗口服务评价",
        "introduction": "",
        "is_active": "on",
        **question_rows(rows),
    }


@pytest.fixture
def default_a(hall_a):
    return questionnaire_create_default(hall=hall_a)


@pytest.fixture
def default_b(hall_b):
    return questionnaire_create_default(hall=hall_b)


# --- questionnaires ----------------------------------------------------------------------


def test_a_manager_lists_only_their_halls_questionnaires(client, manager_a, default_a, default_b):
    client.force_login(manager_a)

    response = client.get(CHANGELIST)

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [default_a]
    row = response.context["cl"].result_list[0]
    assert (row.question_count, row.response_count) == (6, 0)


def test_a_manager_cannot_open_another_halls_questionnaire(client, manager_b, default_a):
    client.force_login(manager_b)

    response = client.get(f"{CHANGELIST}{default_a.pk}/change/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_the_change_page_shows_the_ordered_questions(client, manager_a, default_a):
    client.force_login(manager_a)

    response = client.get(f"{CHANGELIST}{default_a.pk}/change/")

    html = response.content.decode()
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert [form.instance.order for form in formset.forms] == [1, 2, 3, 4, 5, 6]
    assert "10分钟以内\n10-30分钟\n30分钟以上</textarea>" in html


def test_a_manager_creates_the_default_questionnaire_once(
    en_client, english, manager_a, hall_a, hall_b
):
    en_client.force_login(manager_a)

    first = en_client.post(CREATE_DEFAULT)
    en_client.get(CHANGELIST)  # shows (and so consumes) the first message
    second = en_client.post(CREATE_DEFAULT)

    assert first.status_code == 302
    assert first["Location"] == CHANGELIST
    assert messages_of(first) == ["Created the default questionnaire for 1 hall: 甲大厅."]
    assert messages_of(second) == ["Every hall of yours already has the default questionnaire."]
    assert Questionnaire.objects.filter(hall=hall_a).count() == 1
    assert Question.objects.filter(questionnaire__hall=hall_a).count() == 6
    assert Questionnaire.objects.filter(hall=hall_b).count() == 0


def test_the_changelist_offers_the_default_questionnaire_button(client, manager_a):
    client.force_login(manager_a)

    html = client.get(CHANGELIST).content.decode()

    assert f'action="{CREATE_DEFAULT}"' in html


def test_a_superuser_creates_the_default_for_every_active_hall(en_client, english, hall_a, hall_b):
    HallFactory(code="HC", name="丙大厅", is_active=False)
    en_client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    response = en_client.post(CREATE_DEFAULT)

    assert messages_of(response) == [
        "Created the default questionnaire for 2 halls: 甲大厅、乙大厅."
    ]
    assert sorted(Questionnaire.objects.values_list("hall__code", flat=True)) == ["HA", "HB"]


def test_a_supervisor_may_not_create_the_default_questionnaire(client, hall_a):
    supervisor = make_manager(hall_a, "supervisor", role=roles.SUPERVISOR)
    client.force_login(supervisor)

    response = client.post(CREATE_DEFAULT)

    assert response.status_code == 403
    assert 'id="create-default"' not in client.get(CHANGELIST).content.decode()
    assert Questionnaire.objects.count() == 0


def test_creating_the_default_takes_only_a_post(client, manager_a):
    client.force_login(manager_a)

    assert client.get(CREATE_DEFAULT).status_code == 405
    assert Questionnaire.objects.count() == 0


def test_window_staff_cannot_reach_the_questionnaire_admin(client, hall_a):
    client.force_login(UserFactory(username="staff", role=roles.WINDOW_STAFF))

    assert client.get(CHANGELIST).status_code == 302
    assert client.post(CREATE_DEFAULT).status_code == 302
    assert Questionnaire.objects.count() == 0


def test_a_manager_builds_a_questionnaire_with_ordered_questions(client, manager_a, hall_a):
    client.force_login(manager_a)
    rows = [
        {
            "order": "2",
            "text": "等候时间？",
            "kind": "single_choice",
            "choices": "很短\n 较长 \n\n",
        },
        {"order": "1", "text": "服务态度？", "kind": "five_level", "choices": "", "required": "on"},
        {"order": "3", "text": "建议", "kind": "free_text", "choices": ""},
    ]

    response = client.post(f"{CHANGELIST}add/", new_questionnaire(hall_a, rows))

    assert response.status_code == 302
    questionnaire = Questionnaire.objects.get(title="窗口服务评价")
    assert questionnaire.hall == hall_a
    assert [
        (q.order, q.text, q.kind, q.choices, q.required) for q in questionnaire.questions.all()
    ] == [
        (1, "服务态度？", "five_level", [], True),
        (2, "等候时间？", "single_choice", ["很短", "较长"], False),
        (3, "建议", "free_text", [], False),
    ]


@pytest.mark.parametrize(
    ("kind", "choices", "message"),
    [
        ("single_choice", "只有一个", "A single-choice question needs at least 2 choices."),
        ("single_choice", "", "A single-choice question needs at least 2 choices."),
        ("single_choice", "是\n是", "Each choice may appear only once."),
        ("single_choice", "甲\n" + "乙" * 101, "A choice has at most 100 characters."),
        ("yes_no", "是\n否", "Only a single-choice question has choices."),
    ],
)
def test_bad_choices_are_refused_and_nothing_is_stored(
    en_client, english, manager_a, hall_a, kind, choices, message
):
    en_client.force_login(manager_a)
    rows = [{"order": "1", "text": "问题", "kind": kind, "choices": choices, "required": "on"}]

    response = en_client.post(f"{CHANGELIST}add/", new_questionnaire(hall_a, rows))

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.errors == [{"choices": [message]}]
    assert message in response.content.decode()
    assert Questionnaire.objects.count() == 0
    assert Question.objects.count() == 0


def test_a_manager_cannot_put_a_questionnaire_in_another_hall(
    en_client, english, manager_a, hall_b
):
    en_client.force_login(manager_a)

    response = en_client.post(f"{CHANGELIST}add/", new_questionnaire(hall_b, []))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "hall": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert Questionnaire.objects.count() == 0


# --- responses (read only) -------------------------------------------------------------------


@pytest.fixture
def responses(default_a, default_b):
    first = submit(default_a, when=at(dt.date(2026, 11, 16)), level=4)
    second = submit(default_a, when=at(dt.date(2026, 11, 23)), level=5)
    other = submit(default_b, when=at(dt.date(2026, 11, 23)), level=1)
    return first, second, other


def test_a_manager_lists_only_their_halls_responses(client, manager_a, responses):
    first, second, _ = responses
    client.force_login(manager_a)

    response = client.get(RESPONSES)

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [second, first]


def test_the_responses_filter_by_week(client, manager_a, responses):
    first, _, _ = responses
    client.force_login(manager_a)

    response = client.get(f"{RESPONSES}?week=2026-11-16")
    html = response.content.decode()

    assert list(response.context["cl"].result_list) == [first]
    assert "?week=2026-11-23" in html
    assert "?week=2026-11-16" in html


def test_a_response_shows_its_answers_and_cannot_be_changed(client, manager_a, responses):
    first, *_ = responses
    client.force_login(manager_a)

    page = client.get(f"{RESPONSES}{first.pk}/change/")
    posted = client.post(f"{RESPONSES}{first.pk}/change/", {"week_start": "2026-01-05"})

    assert page.status_code == 200
    answers = page.context["inline_admin_formsets"][0].formset.forms
    assert [form.instance.question.order for form in answers] == [1, 2, 3, 4, 5]
    assert "10分钟以内" in page.content.decode()
    assert posted.status_code == 403
    first.refresh_from_db()
    assert first.week_start == dt.date(2026, 11, 16)
    assert client.get(f"{RESPONSES}add/").status_code == 403
    assert client.post(f"{RESPONSES}{first.pk}/delete/", {"post": "yes"}).status_code == 403
    assert QuestionnaireResponse.objects.count() == 3


def test_a_manager_cannot_open_another_halls_response(client, manager_b, responses):
    first, *_ = responses
    client.force_login(manager_b)

    response = client.get(f"{RESPONSES}{first.pk}/change/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/"

"""Questionnaires: the default one, storing responses, the weekly quota, inviting to it."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone

from demo.surveys import seed_questionnaire
from evaluations.models import Answer, Question, Questionnaire, QuestionnaireResponse, Rating
from evaluations.selectors.surveys import (
    QuestionResult,
    active_questionnaire,
    recent_weeks,
    should_invite,
    weekly_progress,
)
from evaluations.services.devices import tablet_issue_pairing_code, tablet_pair, tablet_revoke
from evaluations.services.surveys import (
    answer_field_name,
    questionnaire_create_default,
    questionnaire_response_submit,
)
from tests.windows.factories import SHANGHAI, VisitFactory, WindowFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)  # a Wednesday
THIS_WEEK = dt.date(2026, 11, 23)
LAST_WEEK = dt.date(2026, 11, 16)


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def paired_tablet(hall, *, number: int = 9, every: int = 0):
    """A tablet paired with a new window of the hall, and its device token."""
    device, code = tablet_issue_pairing_code(window=WindowFactory(hall=hall, number=number))
    device, token = tablet_pair(code=code)
    if every:
        device.questionnaire_every = every
        device.save(update_fields=["questionnaire_every"])
    return device, token


def questions_of(questionnaire) -> list[Question]:
    return list(questionnaire.questions.order_by("order"))


def full_answers(questionnaire, *, level=5, yes="yes", choice="10分钟以内", text="") -> dict:
    """Answers to every question of the default questionnaire, by question id."""
    convenience, notification, openness, attitude, waiting, comments = questions_of(questionnaire)
    return {
        convenience.pk: level,
        notification.pk: yes,
        openness.pk: level,
        attitude.pk: level,
        waiting.pk: choice,
        comments.pk: text,
    }


def submit(questionnaire, *, when=None, **answers):
    return questionnaire_response_submit(
        questionnaire=questionnaire,
        answers=full_answers(questionnaire, **answers),
        submitted_at=when or at(THIS_WEEK),
    )


# --- the default questionnaire ------------------------------------------------------


def test_the_default_questionnaire_has_the_six_questions_in_order(hall_a):
    questionnaire = questionnaire_create_default(hall=hall_a)

    assert questionnaire.hall == hall_a
    assert questionnaire.title == "满意度测评问卷"
    assert questionnaire.is_active is True
    rows = [
        (q.order, q.text.split("：")[0], q.kind, q.choices, q.required)
        for q in questions_of(questionnaire)
    ]
    assert rows == [
        (1, "办事便利度", "five_level", [], True),
        (2, "一次性告知", "yes_no", [], True),
        (3, "公开透明依法办事", "five_level", [], True),
        (4, "服务态度", "five_level", [], True),
        (5, "等候时间", "single_choice", ["10分钟以内", "10-30分钟", "30分钟以上"], True),
        (6, "意见建议", "free_text", [], False),
    ]


def test_creating_the_default_again_returns_the_one_there_is(hall_a, hall_b):
    first = questionnaire_create_default(hall=hall_a)

    again = questionnaire_create_default(hall=hall_a)
    other = questionnaire_create_default(hall=hall_b)

    assert again.pk == first.pk
    assert other.pk != first.pk
    assert Questionnaire.objects.filter(hall=hall_a).count() == 1
    assert Question.objects.filter(questionnaire__hall=hall_a).count() == 6


def test_seeding_the_demo_questionnaire_creates_it_once(hall_a):
    assert seed_questionnaire(hall=hall_a) is True
    assert seed_questionnaire(hall=hall_a) is False
    assert Questionnaire.objects.filter(hall=hall_a).count() == 1


def test_the_tablet_shows_the_newest_questionnaire_in_use(hall_a, hall_b):
    default = questionnaire_create_default(hall=hall_a)
    newer = Questionnaire.objects.create(hall=hall_a, title="新问卷", is_active=False)
    questionnaire_create_default(hall=hall_b)

    assert active_questionnaire(hall=hall_a) == default
    newer.is_active = True
    newer.save()
    assert active_questionnaire(hall=hall_a) == newer


# --- submitting a response ----------------------------------------------------------


def test_a_valid_response_is_stored_with_its_answers_and_week(hall_a):
    questionnaire = questionnaire_create_default(hall=hall_a)
    device, _ = paired_tablet(hall_a)
    client_id = uuid.uuid4()
    answers = full_answers(questionnaire, level="4", yes="no", choice="10-30分钟", text=" 很好 ")

    response = questionnaire_response_submit(
        questionnaire=questionnaire,
        answers=answers,
        device=device,
        client_id=client_id,
        submitted_at=at(TODAY, 15, 20),
    )

    assert response.hall == hall_a
    assert response.questionnaire == questionnaire
    assert response.device == device
    assert response.client_id == client_id
    assert response.week_start == THIS_WEEK
    stored = list(
        response.answers.order_by("question__order").values_list(
            "question__order", "level", "yes", "choice", "text"
        )
    )
    assert stored == [
        (1, 4, None, "", ""),
        (2, None, False, "", ""),
        (3, 4, None, "", ""),
        (4, 4, None, "", ""),
        (5, None, None, "10-30分钟", ""),
        (6, None, None, "", "很好"),
    ]


def test_an_optional_question_left_blank_stores_no_answer(hall_a):
    questionnaire = questionnaire_create_default(hall=hall_a)

    response = submit(questionnaire, text="   ")

    assert response.answers.count() == 5
    assert not response.answers.filter(question__kind="free_text").exists()


@pytest.mark.parametrize(
    ("order", "value", "message"),
    [
        (1, None, "Please answer this question."),
        (1, "", "Please answer this question."),
        (1, 6, "Choose a level from 1 to 5."),
        (3, 0, "Choose a level from 1 to 5."),
        (4, "very", "Choose a level from 1 to 5."),
        (4, True, "Choose a level from 1 to 5."),
        (2, "maybe", "Answer yes or no."),
        (2, "  ", "Please answer this question."),
        (5, "1小时", "Choose one of the answers offered."),
        (5, 1, "Choose one of the answers offered."),
        (6, "意" * 501, "Keep your answer to 500 characters (it has 501)."),
        (6, ["建议"], "Write your answer as text."),
    ],
)
def test_a_bad_answer_is_refused_and_nothing_is_stored(english, hall_a, order, value, message):
    questionnaire = questionnaire_create_default(hall=hall_a)
    answers = full_answers(questionnaire)
    question = questions_of(questionnaire)[order - 1]
    answers[question.pk] = value

    with pytest.raises(ValidationError) as error:
        questionnaire_response_submit(questionnaire=questionnaire, answers=answers)

    assert error.value.message_dict == {answer_field_name(question.pk): [message]}
    assert QuestionnaireResponse.objects.count() == 0
    assert Answer.objects.count() == 0


def test_a_text_of_exactly_500_characters_is_accepted(hall_a):
    questionnaire = questionnaire_create_default(hall=hall_a)

    response = submit(questionnaire, text="意" * 500)

    assert response.answers.get(question__kind="free_text").text == "意" * 500


def test_every_missing_answer_is_reported_at_once(english, hall_a):
    questionnaire = questionnaire_create_default(hall=hall_a)
    first, second, *rest = questions_of(questionnaire)
    answers = {rest[0].pk: 5, rest[1].pk: 5, rest[2].pk: "10-30分钟"}

    with pytest.raises(ValidationError) as error:
        questionnaire_response_submit(
            questionnaire=questionnaire,
            answers=answers,
        )

    assert error.value.message_dict == {
        answer_field_name(first.pk): ["Please answer this question."],
        answer_field_name(second.pk): ["Please answer this question."],
    }
    assert QuestionnaireResponse.objects.count() == 0


def test_an_answer_to_another_questionnaires_question_is_refused(english, hall_a, hall_b):
    questionnaire = questionnaire_create_default(hall=hall_a)
    foreign = questions_of(questionnaire_create_default(hall=hall_b))[0]
    answers = {**full_answers(questionnaire), foreign.pk: 5}

    with pytest.raises(ValidationError) as error:
        questionnaire_response_submit(questionnaire=questionnaire, answers=answers)

    assert error.value.message_dict == {
        NON_FIELD_ERRORS: ["An answer was given to a question not in this questionnaire."]
    }
    assert QuestionnaireResponse.objects.count() == 0
    assert Answer.objects.count() == 0


def test_a_questionnaire_no_longer_in_use_takes_no_response(english, hall_a):
    questionnaire = questionnaire_create_default(hall=hall_a)
    Questionnaire.objects.filter(pk=questionnaire.pk).update(is_active=False)
    questionnaire.refresh_from_db()

    with pytest.raises(ValidationError) as error:
        submit(questionnaire)

    assert error.value.message_dict == {
        NON_FIELD_ERRORS: ["This questionnaire is no longer in use."]
    }
    assert QuestionnaireResponse.objects.count() == 0


def test_a_tablet_of_another_hall_cannot_answer_this_halls_questionnaire(english, hall_a, hall_b):
    questionnaire = questionnaire_create_default(hall=hall_a)
    device, _ = paired_tablet(hall_b)

    with pytest.raises(ValidationError) as error:
        questionnaire_response_submit(
            questionnaire=questionnaire, answers=full_answers(questionnaire), device=device
        )

    assert error.value.message_dict == {
        NON_FIELD_ERRORS: ["This tablet belongs to another hall's window."]
    }
    assert QuestionnaireResponse.objects.count() == 0


def test_the_same_submission_sent_twice_is_stored_once(hall_a):
    questionnaire = questionnaire_create_default(hall=hall_a)
    client_id = uuid.uuid4()
    first = questionnaire_response_submit(
        questionnaire=questionnaire, answers=full_answers(questionnaire), client_id=client_id
    )

    again = questionnaire_response_submit(
        questionnaire=questionnaire,
        answers=full_answers(questionnaire, level=1),
        client_id=client_id,
    )

    assert again.pk == first.pk
    assert QuestionnaireResponse.objects.count() == 1
    assert list(Answer.objects.filter(level__isnull=False).values_list("level", flat=True)) == [
        5,
        5,
        5,
    ]


def test_a_submission_id_used_for_another_questionnaire_is_refused(english, hall_a, hall_b):
    questionnaire_a = questionnaire_create_default(hall=hall_a)
    questionnaire_b = questionnaire_create_default(hall=hall_b)
    client_id = uuid.uuid4()
    questionnaire_response_submit(
        questionnaire=questionnaire_a, answers=full_answers(questionnaire_a), client_id=client_id
    )

    with pytest.raises(ValidationError) as error:
        questionnaire_response_submit(
            questionnaire=questionnaire_b,
            answers=full_answers(questionnaire_b),
            client_id=client_id,
        )

    assert error.value.message_dict == {
        NON_FIELD_ERRORS: ["This submission id was already used for another questionnaire."]
    }
    assert QuestionnaireResponse.objects.filter(hall=hall_b).count() == 0


@pytest.mark.parametrize(
    ("submitted_at", "week_start"),
    [
        # Sunday 23:59 in Shanghai is still the week of Monday 16 November ...
        (dt.datetime(2026, 11, 22, 15, 59, tzinfo=dt.UTC), dt.date(2026, 11, 16)),
        # ... and Monday 00:30 in Shanghai (Sunday 16:30 UTC) starts the next week.
        (dt.datetime(2026, 11, 22, 16, 30, tzinfo=dt.UTC), dt.date(2026, 11, 23)),
        (dt.datetime(2026, 11, 23, 0, 0, tzinfo=SHANGHAI), dt.date(2026, 11, 23)),
        (dt.datetime(2026, 11, 29, 23, 59, tzinfo=SHANGHAI), dt.date(2026, 11, 23)),
    ],
)
def test_the_week_is_the_halls_local_week(hall_a, submitted_at, week_start):
    questionnaire = questionnaire_create_default(hall=hall_a)

    response = submit(questionnaire, when=submitted_at)

    assert response.week_start == week_start


def test_without_a_time_the_response_counts_now(hall_a):
    questionnaire = questionnaire_create_default(hall=hall_a)
    before = timezone.now()

    response = questionnaire_response_submit(
        questionnaire=questionnaire, answers=full_answers(questionnaire)
    )

    today = timezone.localdate()
    assert before <= response.submitted_at <= timezone.now()
    assert response.week_start == today - dt.timedelta(days=today.weekday())


# --- the weekly quota -----------------------------------------------------------------


@pytest.fixture
def last_week_responses(hall_a, hall_b):
    """Three responses of hall A last week, one this week, and one of hall B last week."""
    questionnaire = questionnaire_create_default(hall=hall_a)
    submit(questionnaire, when=at(LAST_WEEK), level=5, yes="yes", text="态度很好")
    submit(questionnaire, when=at(LAST_WEEK + dt.timedelta(days=2)), level=4, yes="yes")
    submit(
        questionnaire,
        when=at(LAST_WEEK + dt.timedelta(days=6), 23, 50),
        level=4,
        yes="no",
        choice="30分钟以上",
        text="希望增加窗口",
    )
    submit(questionnaire, when=at(THIS_WEEK, 9), level=1)
    other = questionnaire_create_default(hall=hall_b)
    submit(other, when=at(LAST_WEEK), level=1)
    return questionnaire


def test_a_finished_week_below_quota_is_flagged_with_exact_results(hall_a, last_week_responses):
    convenience, notification, openness, attitude, waiting, comments = questions_of(
        last_week_responses
    )

    progress = weekly_progress(hall=hall_a, week_start=LAST_WEEK, today=TODAY)

    assert (progress.week_start, progress.week_end) == (LAST_WEEK, dt.date(2026, 11, 22))
    assert (progress.count, progress.quota, progress.missing) == (3, 50, 47)
    assert progress.finished is True
    assert progress.below_quota is True
    assert progress.progress_pct == 6
    assert progress.questions == [
        QuestionResult(convenience.pk, convenience.text, "five_level", 3, average_level=4.33),
        QuestionResult(notification.pk, notification.text, "yes_no", 3, yes=2, no=1),
        QuestionResult(openness.pk, openness.text, "five_level", 3, average_level=4.33),
        QuestionResult(attitude.pk, attitude.text, "five_level", 3, average_level=4.33),
        QuestionResult(
            waiting.pk,
            waiting.text,
            "single_choice",
            3,
            choice_counts=[("10分钟以内", 2), ("10-30分钟", 0), ("30分钟以上", 1)],
        ),
        QuestionResult(
            comments.pk, comments.text, "free_text", 2, comments=["希望增加窗口", "态度很好"]
        ),
    ]
    assert progress.questions[1].yes_share_pct == 66.67
    assert progress.questions[0].yes_share_pct is None


def test_the_current_week_shows_progress_and_is_not_flagged(hall_a, last_week_responses):
    progress = weekly_progress(hall=hall_a, week_start=TODAY, today=TODAY)

    assert progress.week_start == THIS_WEEK
    assert (progress.count, progress.quota) == (1, 50)
    assert progress.finished is False
    assert progress.below_quota is False
    assert progress.progress_pct == 2
    assert progress.questions[0].average_level == 1.0


def test_a_finished_week_that_met_its_quota_is_not_flagged(hall_a, last_week_responses):
    hall_a.weekly_questionnaire_quota = 3
    hall_a.save()

    progress = weekly_progress(hall=hall_a, week_start=LAST_WEEK, today=TODAY)

    assert (progress.count, progress.quota, progress.below_quota, progress.progress_pct) == (
        3,
        3,
        False,
        100,
    )


def test_a_week_without_responses_has_no_results(hall_a):
    progress = weekly_progress(hall=hall_a, week_start=LAST_WEEK, today=TODAY)

    assert (progress.count, progress.below_quota, progress.questions) == (0, True, [])


def test_the_recent_weeks_run_newest_first_with_their_flags(hall_a, last_week_responses):
    weeks = recent_weeks(hall=hall_a, weeks=8, today=TODAY)

    assert [(w.week_start, w.count, w.finished, w.below_quota) for w in weeks] == [
        (THIS_WEEK, 1, False, False),
        (LAST_WEEK, 3, True, True),
        *[(THIS_WEEK - dt.timedelta(weeks=n), 0, True, True) for n in range(2, 8)],
    ]


# --- inviting to the questionnaire after every k-th rating ------------------------------


def rate(device, *, when):
    visit = VisitFactory(hall=device.window.hall, window=device.window, service_date=when.date())
    return Rating.objects.create(
        visit=visit, level=5, rated_at=when, source=Rating.Source.TABLET, device=device
    )


def test_a_tablet_set_to_never_invite_does_not(hall_a):
    device, _ = paired_tablet(hall_a, every=0)
    for hour in range(9, 14):
        rate(device, when=at(THIS_WEEK, hour))

    assert should_invite(device=device) is False


def test_a_tablet_invites_after_every_kth_rating_since_its_last_questionnaire(hall_a):
    device, _ = paired_tablet(hall_a, every=3)
    other, _ = paired_tablet(hall_a, number=10, every=3)
    questionnaire = questionnaire_create_default(hall=hall_a)
    rate(device, when=at(THIS_WEEK, 9))
    rate(device, when=at(THIS_WEEK, 10))
    rate(other, when=at(THIS_WEEK, 10, 30))
    assert should_invite(device=device) is False

    rate(device, when=at(THIS_WEEK, 11))
    assert should_invite(device=device) is True

    questionnaire_response_submit(
        questionnaire=questionnaire,
        answers=full_answers(questionnaire),
        device=device,
        submitted_at=at(THIS_WEEK, 11, 5),
    )
    assert should_invite(device=device) is False

    rate(device, when=at(THIS_WEEK, 12))
    rate(device, when=at(THIS_WEEK, 13))
    assert should_invite(device=device) is False
    rate(device, when=at(THIS_WEEK, 14))
    assert should_invite(device=device) is True


def test_a_revoked_tablets_responses_stay_with_the_hall(hall_a):
    questionnaire = questionnaire_create_default(hall=hall_a)
    device, _ = paired_tablet(hall_a)
    response = questionnaire_response_submit(
        questionnaire=questionnaire, answers=full_answers(questionnaire), device=device
    )

    tablet_revoke(device=device)

    response.refresh_from_db()
    assert (response.hall, response.device) == (hall_a, device)


@pytest.mark.parametrize(
    ("quota", "progress_pct"),
    [(8, 37.5), (9, 33.33), (200, 1.5), (2, 100.0)],  # the quota reached, half up (was floored)
)
def test_progress_towards_the_quota_rounds_half_up_never_down(
    hall_a, last_week_responses, quota, progress_pct
):
    hall_a.weekly_questionnaire_quota = quota
    hall_a.save()

    progress = weekly_progress(hall=hall_a, week_start=LAST_WEEK, today=TODAY)

    assert (progress.count, progress.progress_pct) == (3, progress_pct)


@pytest.mark.parametrize(
    ("zone", "week_start"),
    [
        # Sunday 22 November 16:30 UTC: Monday 00:30 in Shanghai, still Sunday in Kolkata
        ("Asia/Shanghai", dt.date(2026, 11, 23)),
        ("Asia/Kolkata", dt.date(2026, 11, 16)),
        ("America/New_York", dt.date(2026, 11, 16)),
    ],
)
def test_the_week_is_the_week_of_the_halls_own_time_zone(hall_a, zone, week_start):
    hall_a.time_zone = zone
    hall_a.save()
    questionnaire = questionnaire_create_default(hall=hall_a)

    response = submit(questionnaire, when=dt.datetime(2026, 11, 22, 16, 30, tzinfo=dt.UTC))

    assert response.week_start == week_start

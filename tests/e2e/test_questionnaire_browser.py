"""A paired rating tablet switches to the questionnaire and a citizen fills it with taps."""

import pytest
from playwright.sync_api import expect

from demo.surveys import seed_questionnaire
from evaluations.models import QuestionnaireResponse
from evaluations.services.devices import tablet_issue_pairing_code, tablet_pair
from evaluations.tablet.auth import DEVICE_COOKIE
from tests.windows.factories import HallFactory, WindowFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def tablet_token():
    hall = HallFactory(code="LH", name="六合区社会保障综合服务大厅")
    seed_questionnaire(hall=hall)
    window = WindowFactory(hall=hall, number=5, name="社保通办5号窗口")
    device, code = tablet_issue_pairing_code(window=window)
    device, token = tablet_pair(code=code)
    return device, token


def test_a_tablet_fills_the_questionnaire_with_taps(
    live_server, browser_page, screenshot_dir, tablet_token
):
    device, token = tablet_token
    page = browser_page
    page.set_viewport_size({"width": 1024, "height": 768})
    page.context.add_cookies([{"name": DEVICE_COOKIE, "value": token, "url": live_server.url}])
    # given the tablet in questionnaire mode
    page.goto(f"{live_server.url}/surveys/fill/")
    expect(page.locator("#questionnaire-title")).to_have_text("满意度测评问卷")
    expect(page.locator("#survey-window")).to_contain_text("5")
    expect(page.locator("fieldset.survey-question")).to_have_count(6)
    # when the citizen taps an answer to each question and writes a suggestion
    page.locator("#q-1 label.survey-choice").nth(0).click()
    page.locator("#q-2 label.survey-choice").nth(0).click()
    page.locator("#q-3 label.survey-choice").nth(1).click()
    page.locator("#q-4 label.survey-choice").nth(0).click()
    page.locator("#q-5 label.survey-choice", has_text="10-30分钟").click()
    page.locator("#q-6 textarea").fill("希望增加自助服务设备")
    expect(page.locator("#q-3 input").nth(1)).to_be_checked()
    box = page.locator("#q-1 label.survey-choice").nth(0).bounding_box()
    assert box["height"] >= 64
    page.screenshot(path=str(screenshot_dir / "questionnaire.png"), full_page=True)
    page.click("#submit-answers")
    # then the tablet thanks them and offers the way back to the rating screen
    expect(page.locator("#survey-thanks")).to_be_visible()
    expect(page.locator("#back-link")).to_have_attribute("href", "/tablet/")
    page.screenshot(path=str(screenshot_dir / "questionnaire_thanks.png"), full_page=True)
    response = QuestionnaireResponse.objects.get()
    assert response.device == device
    answers = {a.question.order: (a.level, a.yes, a.choice, a.text) for a in response.answers.all()}
    assert answers == {
        1: (5, None, "", ""),
        2: (None, True, "", ""),
        3: (4, None, "", ""),
        4: (5, None, "", ""),
        5: (None, None, "10-30分钟", ""),
        6: (None, None, "", "希望增加自助服务设备"),
    }


def test_a_missing_answer_is_shown_before_anything_is_stored(
    live_server, browser_page, tablet_token
):
    _, token = tablet_token
    page = browser_page
    page.context.add_cookies([{"name": DEVICE_COOKIE, "value": token, "url": live_server.url}])
    page.goto(f"{live_server.url}/surveys/fill/")
    page.locator("#q-1 label.survey-choice").nth(0).click()

    page.click("#submit-answers")

    expect(page.locator("#q-2 .survey-error")).to_have_count(1)
    expect(page.locator("#q-1 .survey-error")).to_have_count(0)
    expect(page.locator("#q-1 input").nth(0)).to_be_checked()
    assert QuestionnaireResponse.objects.count() == 0


def test_a_manager_sees_the_weeks_progress_against_the_quota(
    live_server, browser_page, screenshot_dir, tablet_token
):
    from django.utils import timezone

    from evaluations.selectors.surveys import active_questionnaire
    from evaluations.services.surveys import questionnaire_response_submit
    from tests.windows.factories import TEST_PASSWORD, make_manager

    device, _ = tablet_token
    hall = device.window.hall
    hall.weekly_questionnaire_quota = 5
    hall.save()
    questionnaire = active_questionnaire(hall=hall)
    questions = list(questionnaire.questions.order_by("order"))
    values = [5, "yes", 4, 5, "10分钟以内", "很好"]
    for _ in range(2):
        questionnaire_response_submit(
            questionnaire=questionnaire,
            answers={q.pk: v for q, v in zip(questions, values, strict=True)},
            device=device,
            submitted_at=timezone.now(),
        )
    make_manager(hall, "lh_manager")
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/?next=/surveys/")
    page.fill("#id_username", "lh_manager")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("#login-submit")

    expect(page.locator("#current-week .progress")).to_have_attribute("aria-valuenow", "2")
    expect(page.locator("#recent-weeks tbody tr")).to_have_count(8)
    expect(page.locator("#recent-weeks .badge.text-bg-danger")).to_have_count(7)
    expect(page.locator("#question-results tbody tr")).to_have_count(6)
    page.screenshot(path=str(screenshot_dir / "questionnaire_results.png"), full_page=True)

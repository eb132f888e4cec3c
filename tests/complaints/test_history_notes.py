"""A case's notes are stored as codes and read in the reader's language, whoever wrote
them and in whatever language (complaints/history_notes.py)."""

import pytest
from django.utils import translation

from complaints.history_notes import case_note, note_text
from tests.windows.factories import StaffFactory, UserFactory


def test_a_note_is_stored_as_its_code_and_parameters():
    assert case_note("closed", verdict="substantiated") == (
        '{"note":"closed","verdict":"substantiated"}'
    )
    assert case_note("received") == '{"note":"received"}'


def test_an_unknown_note_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown case note: 'reopened'"):
        case_note("reopened")


@pytest.mark.parametrize(
    ("stored", "english"),
    [
        ('{"note":"received"}', "received"),
        ('{"note":"opened_from_bad_review"}', "opened from a bad review"),
        ('{"note":"callback","result":"not_satisfied"}', "callback: not satisfied"),
        ('{"note":"closed","verdict":"substantiated"}', "closed: substantiated"),
        (
            '{"note":"verified_rating_excluded","why":"malicious"}',
            "verified, rating excluded (malicious rating)",
        ),
        ('{"note":"deadline_extended","days":3}', "deadline extended by 3 working days"),
        ("", ""),
        (None, ""),
        ("写错了，重新指派", "写错了，重新指派"),  # a note nobody coded: shown as it is
        ('{"note":"nonsense"}', '{"note":"nonsense"}'),
    ],
)
def test_a_stored_note_reads_in_english(stored, english):
    with translation.override("en"):
        assert note_text(stored) == english


@pytest.mark.django_db
def test_the_handler_is_named_when_shown_and_a_deleted_one_as_a_dash():
    staff = StaffFactory(display_name="王芳")
    manager = UserFactory(username="li_ming", first_name="明", last_name="李")

    with translation.override("en"):
        assert note_text(case_note("assigned", handler=staff.user.pk)) == "assigned to 王芳"
        assert note_text(case_note("assigned", handler=manager.pk)) == "assigned to 明 李"
        assert note_text(case_note("assigned", handler=999_999)) == "assigned to —"
        # Worded before the codes, with the login: the person's name now.
        assert note_text(f"assigned to {staff.user.username}") == "assigned to 王芳"


@pytest.mark.parametrize(
    ("worded", "english"),
    [
        ("closed: substantiated", "closed: substantiated"),
        ("callback: could not be reached", "callback: could not be reached"),
        ("deadline extended by 2 working days", "deadline extended by 2 working days"),
        ("assigned to nobody_we_know", "assigned to nobody_we_know"),
    ],
)
@pytest.mark.django_db
def test_a_note_written_in_english_words_before_the_codes_is_recognised(worded, english):
    with translation.override("en"):
        assert note_text(worded) == english


@pytest.mark.django_db
def test_a_note_written_in_chinese_words_before_the_codes_reads_in_english():
    with translation.override("zh-hans"):
        worded = translation.gettext("closed: %(verdict)s") % {
            "verdict": translation.gettext("substantiated")
        }
        opened = translation.gettext("opened from a bad review")
    assert (worded, opened) == ("已办结：属实", "由差评生成")  # stored as Chinese words

    with translation.override("en"):
        assert (note_text(worded), note_text(opened)) == (
            "closed: substantiated",
            "opened from a bad review",
        )

"""The notes of a case's history (its timeline), stored as codes and shown in the reader's
language.

Each step of a case is recorded by django-simple-history with a short note
(`history_change_reason`, 100 characters). The services store the note as a code with its
parameters, `{"note": "closed", "verdict": "substantiated"}`, never as words: a note
written in the words of whoever did the step would stay Chinese for an English reader
(and the other way round). `note_text` puts a stored note in the active language; the
choices come out as their labels and a handler as their name, read when shown.

Notes written as words before the codes (in Chinese or English) are recognised by their
wording and shown in the reader's language too; anything else is shown as it is.
"""

from __future__ import annotations

import json
import re
from functools import cache

from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint
from evaluations.models import Rating
from windows.people import person_name

NOTES = {
    "received": _("received"),
    "opened_from_bad_review": _("opened from a bad review"),
    "verified": _("verified"),
    "verified_rating_excluded": _("verified, rating excluded (%(why)s)"),
    "assigned": _("assigned to %(handler)s"),
    "started": _("started"),
    "replied": _("replied"),
    "callback_reopened": _("callback: not satisfied, reopened"),
    "callback_escalated": _("callback: not satisfied again, escalated"),
    "callback": _("callback: %(result)s"),
    "closed": _("closed: %(verdict)s"),
    "deadline_extended": _("deadline extended by %(days)s working days"),
    "personal_data_erased": _("personal data erased"),
}
# Parameters stored as a choice's value and shown as its label.
CHOICES = {
    "why": Rating.Exclusion,
    "result": Complaint.CallbackResult,
    "verdict": Complaint.Verdict,
}
MAX_LENGTH = 100  # history_change_reason's


def case_note(code: str, **params: str | int) -> str:
    """The stored form of a note: its code and parameters (choice values, a user's pk)."""
    if code not in NOTES:
        raise ValueError(f"unknown case note: {code!r}")
    stored = json.dumps({"note": code, **params}, ensure_ascii=False, separators=(",", ":"))
    if len(stored) > MAX_LENGTH:
        raise ValueError(f"case note too long to store: {stored}")
    return stored


def note_text(stored: str | None) -> str:
    """A stored note in the active language ("" for none)."""
    if not stored:
        return ""
    data = _decoded(stored)
    if data is None:
        data = _from_words(stored)
        if data is None:
            return stored
    code = data.pop("note")
    return str(NOTES[code]) % {name: _param_text(name, value) for name, value in data.items()}


def _decoded(stored: str) -> dict | None:
    if not stored.startswith("{"):
        return None
    try:
        data = json.loads(stored)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("note") not in NOTES:
        return None
    return data


def _param_text(name: str, value) -> str:
    if name in CHOICES:
        try:
            return str(CHOICES[name](value).label)
        except ValueError:
            return str(value)
    if name == "handler":
        # Stored as the user's pk; a note worded before the codes named the login.
        users = get_user_model().objects.select_related("staff_profile")
        if isinstance(value, int):
            user = users.filter(pk=value).first()
            return person_name(user) if user is not None else "—"
        user = users.filter(username=value).first()
        return person_name(user) if user is not None else str(value)
    return str(value)


def _from_words(text: str) -> dict | None:
    """A note written as words (before the codes), in any of the site's languages."""
    for language, code, pattern in _worded_notes():
        match = pattern.fullmatch(text)
        if match is None:
            continue
        params = match.groupdict()
        for name, value in params.items():
            if name in CHOICES:
                params[name] = _choice_value(CHOICES[name], value, language)
        return {"note": code, **params}
    return None


def _choice_value(choices, label: str, language: str) -> str:
    with translation.override(language):
        for value, choice_label in choices.choices:
            if str(choice_label) == label:
                return value
    return label


@cache
def _worded_notes() -> list[tuple[str, str, re.Pattern]]:
    from django.conf import settings

    notes = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for code, template in NOTES.items():
                parts = re.split(r"%\((\w+)\)[sd]", str(template))
                regex = ""
                for index, part in enumerate(parts):
                    regex += re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)"
                notes.append((language, code, re.compile(regex)))
    return notes

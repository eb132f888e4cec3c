"""The hall made ready for the load: a window, a signed-in staff member, a logged-in
console browser and a paired tablet for each window; and what a phase sends."""

from __future__ import annotations

import json
import random
import secrets
import string
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

from bench.tablets.config import HALL

from .http import Request

RATING_PATH = "/api/v1/tablet/ratings"
PING_PATH = "/bench/ping"
# A rating prompt stays open for the hall's timeout (60 s by default); a phase of a few
# hundred windows takes longer than that between the finish and the rating, so the bench
# hall waits an hour. The rule is the same; only the number differs.
RATING_TIMEOUT_SECONDS = 3600


@dataclass(frozen=True)
class WindowClients:
    number: int
    cookie: str  # the staff member's console browser: session and CSRF cookies
    csrf: str
    item_id: int
    token: str  # the window's tablet


def _console_cookie(user) -> tuple[str, str]:
    """A logged-in session for the user, as django.contrib.auth.login leaves it, and a
    CSRF cookie: the bench does not post 500 passwords through the login page."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    cookie = (f"{settings.SESSION_COOKIE_NAME}={session.session_key}; "
              f"{settings.CSRF_COOKIE_NAME}={csrf}")  # fmt: skip
    return cookie, csrf


def clients_for(tokens: list[str]) -> list[WindowClients]:
    """Every window's console browser and tablet (tokens in window order, from 1)."""
    from windows.models import Hall, Staff, Window

    hall = Hall.objects.get(code=HALL)
    Hall.objects.filter(pk=hall.pk).update(rating_timeout_seconds=RATING_TIMEOUT_SECONDS)
    staff = {s.badge_no: s for s in Staff.objects.filter(hall=hall).select_related("user")}
    windows = []
    for number, token in enumerate(tokens, start=1):
        window = Window.objects.get(hall=hall, number=number)
        cookie, csrf = _console_cookie(staff[f"LH{number:03d}"].user)
        item = window.service_items.order_by("pk").first()
        windows.append(WindowClients(number, cookie, csrf, item.pk, token))
    return windows


def close_open_visits() -> None:
    """open_the_hall leaves a third of the windows serving: finish those (untimed)."""
    from windows.models import Hall, Visit, WindowSession
    from windows.services import visit_finish

    hall = Hall.objects.get(code=HALL)
    for visit in Visit.objects.filter(hall=hall, status=Visit.Status.IN_SERVICE):
        session = WindowSession.objects.open().get(window_id=visit.window_id)
        visit_finish(session=session, visit=visit)


def console_requests(windows: list[WindowClients], step: str, round_no: int) -> list[Request]:
    """Each window's 开始办理 (start) or 办结 (finish), as the console's form posts it."""
    requests = []
    for window in windows:
        fields = [("csrfmiddlewaretoken", window.csrf), ("items_shown", "1"),
                  ("service_items", str(window.item_id))]  # fmt: skip
        if step == "start":
            fields.append(("ticket_no", f"L{round_no:02d}{window.number:04d}"))
        headers = {"Cookie": window.cookie, "Content-Type": "application/x-www-form-urlencoded"}
        requests.append(Request("POST", f"/console/{step}/", headers,
                                urlencode(fields).encode(), expect=(302,)))  # fmt: skip
    return requests


def pending_visits(windows: list[WindowClients]) -> dict[int, int]:
    """Each window's visit waiting for its rating (what its tablet's state says)."""
    from windows.models import Hall, Visit
    from windows.rules.hall_time import hall_localdate

    hall = Hall.objects.get(code=HALL)
    latest = {}
    today = Visit.objects.filter(hall=hall, service_date=hall_localdate(hall))
    for window_number, visit_id in (
        today.filter(status=Visit.Status.COMPLETED, rating__isnull=True)
        .order_by("window__number", "finished_at", "pk")
        .values_list("window__number", "pk")
    ):
        latest[window_number] = visit_id
    return {w.number: latest[w.number] for w in windows}


def rating_requests(windows: list[WindowClients], pending: dict[int, int],
                    rng: random.Random) -> list[Request]:  # fmt: skip
    """Each tablet's rating of its window's visit: mostly 5, about 2% bad with a reason
    (which opens a follow-up case), as the hall's citizens rate."""
    requests = []
    for window in windows:
        level = rng.choices([5, 4, 3, 2, 1], (88, 7, 3, 1, 1))[0]
        body = {"visit_id": pending[window.number], "level": level,
                "client_id": str(uuid.UUID(int=rng.getrandbits(128), version=4))}  # fmt: skip
        if level <= 2:
            body["reasons"] = ["attitude"]
        headers = {"Authorization": f"Device {window.token}",
                   "Content-Type": "application/json", "Accept": "application/json"}  # fmt: skip
        requests.append(Request("POST", RATING_PATH, headers, json.dumps(body).encode(),
                                expect=(201,)))  # fmt: skip
    return requests


def ping_requests(windows: list[WindowClients]) -> list[Request]:
    """The trivial authenticated endpoint, once per tablet."""
    headers = [{"Authorization": f"Device {w.token}", "Accept": "application/json"}
               for w in windows]  # fmt: skip
    return [Request("GET", PING_PATH, h) for h in headers]

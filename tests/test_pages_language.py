"""Every page of every role, in Chinese and in English: no English left in the Chinese pages
and no UTC timestamp anywhere (issue 12 item 2).

The pages are found in the URLconf: every named URL is reversed, those with arguments
with objects of the demo hall (seed_demo with a few days of visits, casework, measures)
plus a bulletin, an import job and a paired tablet. A named URL this test cannot fill in
fails the test, so a new page is walked as soon as it exists. Each role (anonymous,
superuser, manager, supervisor, window staff, tablet) opens every page; each HTML page
it may see (200) is checked:

- in Chinese, no text the user reads (text, title, placeholder, aria-label, alt, button
  values) is a message id of the project's catalogue whose translation differs: a whole
  text equal to a msgid, or a msgid of several words found inside a text;
- in both languages, no ISO timestamp (`2026-11-27T08:00`), no UTC offset (`+00:00`) and no
  microseconds (`08:00:00.123456`) anywhere in the HTML.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests import test_translations
from tests.windows.factories import HallFactory

LANGUAGES = ("zh-hans", "en")
ROLES = ("anonymous", "superuser", "manager", "supervisor", "staff", "tablet")

# Named URLs that are not pages: the API (JSON, its own tests), downloads and file views
# (not HTML), POST-only actions, and the language switch.
NOT_PAGES = re.compile(
    r"^(api-|hall-|window-|service-item-|visit-|rating-|results-live|dashboard-year"
    r"|dashboard-today|tablet-state|tablet-ratings|visit-batch|set_language|logout"
    r"|admin:logout|admin:view_on_site|admin:jsi18n|admin:autocomplete"
    r"|tablet:api-|console:(?!index$)|alerts:acknowledge|complaints:action"
    r"|complaints:attachment|rectification:export|rectification:evidence"
    r"|bulletins:download|bulletins:resend|staff-photo|tablet:staff-photo"
    r"|rectification:from-week|surge-acknowledge|regional:bulletin-download)"
)

ISO_TIMESTAMP = re.compile(
    r"\d{4}-\d\d-\d\dT\d\d:\d\d"  # ISO 8601 date and time
    r"|\d\d:\d\d(?::\d\d)?(?:\.\d+)?\+00:?00"  # a UTC offset
    r"|\d\d:\d\d:\d\d\.\d{3,6}"  # microseconds
)
# A datetime-local input's value is in the HTML standard's format (local time, no zone).
DATETIME_INPUT = re.compile(
    r'<input type="datetime-local"[^>]*value="\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?"'
)
READ_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
# Django stores the permissions' names in English ("Can add complaint case"): the
# superuser's group and user pages list them as they are (not ours to translate).
PERMISSION_SELECTS = {"permissions", "user_permissions"}
# The admin's import pages by model, and the kind of their jobs.
IMPORT_KINDS = {"window": "windows", "visit": "visits", "staff": "staff"}


# --- the world -----------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, object]
    tablet_token: str
    objects: dict[str, object]  # by admin model label ("windows.hall") or name


@pytest.fixture
def world(db) -> World:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from complaints.models import Complaint
    from demo.seed import seed_demo
    from evaluations.models import TabletDevice
    from evaluations.services.devices import tablet_issue_pairing_code, tablet_pair
    from rectification.models import Measure
    from reports.services import bulletin_build
    from windows.models import Hall, ImportJob, Window

    today = timezone.localdate()
    seed_demo(today=today, visits_since=today - dt.timedelta(days=3))
    hall = Hall.objects.get(code="LH01")
    User = get_user_model()
    users = {name: User.objects.get(username=name) for name in ("admin", "manager", "supervisor")}
    users["staff"] = User.objects.get(username="lh005")
    _device, code = tablet_issue_pairing_code(window=Window.objects.get(hall=hall, number=5))
    _device, token = tablet_pair(code=code)
    bulletin = bulletin_build(hall=hall, kind="daily", day=today - dt.timedelta(days=1))
    with translation.override("zh-hans"):  # a job keeps its reasons in the uploader's words
        reason = translation.gettext("unknown service code %(codes)s") % {"codes": "XX9"}
    jobs = {
        kind: ImportJob.objects.create(
            kind=kind,
            user=users["manager"],
            filename=f"{kind}.csv",
            status=ImportJob.Status.DONE,
            summary="imported 0, unchanged 23, rejected 1",
            rejected=1,
            errors=[[3, reason]],
            notes=[
                {"note": "created", "kind": "staff", "count": 3},
                {"note": "historical_bad", "count": 2},
            ],
            finished_at=timezone.now(),
        )
        for kind in IMPORT_KINDS.values()
    }
    case = (
        Complaint.objects.filter(hall=hall, status=Complaint.Status.CLOSED).first()
        or Complaint.objects.filter(hall=hall).order_by("-pk").first()
    )
    assert case is not None, "the demo hall has no case"
    assert TabletDevice.objects.exists()
    seen = {"ip_address": "10.0.0.5", "user_agent": "Chromium", "path_info": "/accounts/login/"}
    AccessAttempt.objects.create(
        username="lh005", get_data="", post_data="", failures_since_start=5, **seen
    )
    AccessFailureLog.objects.create(username="lh005", locked_out=True, **seen)
    AccessLog.objects.create(username="manager", **seen)
    measure = Measure.objects.filter(checklist__hall=hall).order_by("pk").first()
    assert measure is not None, "the demo hall has no rectification measure"
    return World(
        users=users,
        tablet_token=token,
        objects={
            "case": case,
            "bulletin": bulletin,
            "import_jobs": jobs,
            "hall": hall,
            "measure": measure,
            "empty_hall": HallFactory(code="ZZ01", name="空大厅"),
        },
    )


# --- the pages -----------------------------------------------------------------------


def named_urls() -> Iterator[tuple[str, URLPattern]]:
    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                name = f"{namespace}:{inner}" if namespace and inner else inner or namespace
                yield from walk(pattern.url_patterns, name)
            elif pattern.name:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern

    seen = set()
    for name, pattern in walk(get_resolver().url_patterns, None):
        if name not in seen:
            seen.add(name)
            yield name, pattern


def admin_model_urls(name: str, world: World) -> list[str] | None:
    """The pages of an admin model URL: one object's change/history/delete page."""
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if not name.startswith(prefix):
            continue
        view = name.removeprefix(prefix)
        if view in ("changelist", "add", "import", "issue", "create_default"):
            return [reverse(name)]
        obj = _an_object(model, model_admin, world)
        if view == "delete" and model._meta.label == "windows.Hall":
            # The demo hall's page would list its thousands of visits: an empty hall's.
            obj = world.objects["empty_hall"]
        if obj is None:
            return []  # nothing of that kind in the demo hall
        if view == "simple_history":
            record = obj.history.order_by("history_date").last()
            return [reverse(name, args=[obj.pk, record.pk])]
        if view == "import_job":
            job = world.objects["import_jobs"][IMPORT_KINDS[model._meta.model_name]]
            return [reverse(name, args=[job.pk])]
        return [reverse(name, args=[obj.pk])]
    return None


def _an_object(model, model_admin, world: World):
    from complaints.models import Complaint

    if model is Complaint:
        return world.objects["case"]
    if model is get_user_model():
        return world.users["staff"]
    return model._default_manager.order_by("pk").first()


OTHER_ARGUMENTS: dict[str, Callable[[World], list]] = {
    "admin:app_list": lambda w: [
        {"app_label": label} for label in sorted({m._meta.app_label for m in admin.site._registry})
    ],
    "complaints:detail": lambda w: [[w.objects["case"].pk]],
    "bulletins:detail": lambda w: [[w.objects["bulletin"].pk]],
    "rectification:from-case": lambda w: [[w.objects["case"].pk]],
    "rectification:measure-new": lambda w: [[w.objects["measure"].checklist_id]],
    "rectification:measure": lambda w: [[w.objects["measure"].pk]],
    "rectification:measure-plan": lambda w: [[w.objects["measure"].pk]],
    "rectification:measure-progress": lambda w: [[w.objects["measure"].pk]],
    **{
        f"booking:{name}": lambda w: [{"hall_code": w.objects["hall"].code}]
        for name in ("book", "done", "cancel")
    },
    "password_reset_confirm": lambda w: [
        [
            urlsafe_base64_encode(force_bytes(w.users["staff"].pk)),
            default_token_generator.make_token(w.users["staff"]),
        ]
    ],
}


def page_urls(world: World) -> tuple[list[str], list[str]]:
    """Every page's URL, and the named URLs this test does not know how to fill in."""
    urls, unknown = [], []
    for name, _pattern in named_urls():
        if NOT_PAGES.match(name):
            continue
        if name.startswith("admin:") and name != "admin:app_list":
            found = admin_model_urls(name, world)
            if found is not None:
                urls += found
                continue
        if name in OTHER_ARGUMENTS:
            for args in OTHER_ARGUMENTS[name](world):
                kwargs = args if isinstance(args, dict) else None
                urls.append(reverse(name, args=None if kwargs else args, kwargs=kwargs))
            continue
        try:
            urls.append(reverse(name))
        except Exception:
            unknown.append(name)
    return urls, unknown


# --- what a page says ----------------------------------------------------------------


class ReadableText(HTMLParser):
    """The texts a user reads: text nodes (not scripts or styles) and a few attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("script", "style") or (
            tag == "select" and attributes.get("name") in PERMISSION_SELECTS
        ):
            self._hidden += 1
        for name in READ_ATTRIBUTES:
            if attributes.get(name):
                self.texts.append(attributes[name])
        if (
            tag == "input"
            and attributes.get("type") in ("submit", "button")
            and attributes.get("value")
        ):
            self.texts.append(attributes["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "select") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.texts.append(" ".join(data.split()))


def readable_texts(html: str) -> list[str]:
    parser = ReadableText()
    parser.feed(html)
    return parser.texts


def catalogue_entries() -> list[dict]:
    """The entries of the project's zh-hans catalogue (the first of LOCALE_PATHS)."""
    path = Path(settings.LOCALE_PATHS[0]) / "zh_Hans/LC_MESSAGES/django.po"
    with mock.patch.object(test_translations, "PO_FILE", path):
        return test_translations.po_entries()


PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\{\s*\w+\s*\}\}")


@dataclass(frozen=True)
class Untranslated:
    msgid: str
    whole: re.Pattern  # the whole text is the msgid
    inside: re.Pattern | None  # the msgid inside a longer text (messages of several words)


def catalogue_matchers() -> list[Untranslated]:
    """The catalogue's msgids whose Chinese differs, as patterns over readable texts."""
    matchers = []
    for entry in catalogue_entries():
        translated = entry.get("msgstr") or entry.get("msgstr[0]") or ""
        for msgid in (entry["msgid"], entry.get("msgid_plural")):
            if not msgid or not translated or translated == msgid:
                continue
            msgid = msgid.replace("%%", "%")
            parts = PLACEHOLDER.split(msgid)
            body = r"\S.*?".join(re.escape(part) for part in parts)
            body = f"(?i:{body[:1]})" + body[1:] if body[:1].isalpha() else body
            literal_words = re.findall(r"[A-Za-z]{3,}", " ".join(parts))
            inside = None
            if all(len(re.findall(r"[A-Za-z]{3,}", part)) >= 2 for part in parts if part.strip()):
                # Every literal piece is words (a lone placeholder matches anything).
                inside = re.compile(rf"(?<![A-Za-z]){body}(?![A-Za-z])")
            if not literal_words:
                continue  # only placeholders and punctuation
            # Whole: a placeholder stands for a word (a count, a code, a name).
            word = r"\S+".join(re.escape(part) for part in parts)
            word = f"(?i:{word[:1]})" + word[1:] if word[:1].isalpha() else word
            matchers.append(Untranslated(msgid, re.compile(rf"{word}[.:：。]?"), inside))
    return matchers


ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")


class UntranslatedFinder:
    """Finds the msgids left in English among a page's texts; each distinct text is looked
    at once per walk (the same menus and labels come back on every page)."""

    def __init__(self, matchers: list[Untranslated]):
        self.matchers = matchers
        self.seen: dict[str, list[str]] = {}

    def __call__(self, texts: list[str]) -> set[str]:
        found = set()
        for text in texts:
            if text not in self.seen:
                self.seen[text] = self._in(text) if ENGLISH_WORD.search(text) else []
            found.update(self.seen[text])
        return found

    def _in(self, text: str) -> list[str]:
        return [
            f"{matcher.msgid!r} in {text[:120]!r}"
            for matcher in self.matchers
            if matcher.whole.fullmatch(text) or (matcher.inside and matcher.inside.search(text))
        ]


# --- the walk ------------------------------------------------------------------------


def client_for(role: str, world: World, language: str) -> Client:
    from evaluations.tablet.auth import DEVICE_COOKIE

    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if role == "tablet":
        client.cookies[DEVICE_COOKIE] = world.tablet_token
    elif role != "anonymous":
        client.force_login(world.users["admin" if role == "superuser" else role])
    return client


def walk(world: World, language: str) -> tuple[dict[str, set[str]], int]:
    """Problems by page (role and URL), and how many HTML pages were read."""
    urls, unknown = page_urls(world)
    assert unknown == [], f"named URLs this test cannot open (add their arguments): {unknown}"
    untranslated = UntranslatedFinder(catalogue_matchers()) if language == "zh-hans" else None
    problems: dict[str, set[str]] = {}
    read = 0
    for role in ROLES:
        client = client_for(role, world, language)
        for url in urls:
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            read += 1
            html = response.content.decode()
            machine = DATETIME_INPUT.sub("", html)  # the browser shows these in its own way
            found = {f"timestamp {m.group()!r}" for m in ISO_TIMESTAMP.finditer(machine)}
            if untranslated is not None:
                found |= untranslated(readable_texts(html))
            if found:
                problems[f"{role} {url}"] = found
    return problems, read


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_of_every_role_speaks_the_language_and_local_time(world, language):
    problems, read = walk(world, language)

    assert read > 100, f"only {read} pages were read"
    report = "\n".join(
        f"{page}: " + "; ".join(sorted(found)) for page, found in sorted(problems.items())
    )
    assert not problems, f"{len(problems)} pages in {language}:\n{report}"

"""Every page carries the Content-Security-Policy; no page runs an inline script; the API's
schema and docs are for signed-in users in production; `check --deploy` is clean."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# A script element that runs: any <script> but the JSON data blocks of json_script.
RUNNING_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>")

PAGES = ["/accounts/login/", "/admin/login/", "/tablet/pair/", "/api/docs/"]
SIGNED_IN_PAGES = [
    "/",
    "/complaints/dashboard/",
    "/reports/dashboard/",
    "/results/hall/",
    "/admin/",
]


def directives(header: str) -> dict[str, str]:
    """The policy's directives, whatever order the header lists them in."""
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def production_env(**extra) -> dict:
    # Only what a production process is given: nothing the test run itself set leaks in.
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "hall.settings.production",
        "DJANGO_SECRET_KEY": "x" * 60 + "-not-a-real-secret-but-long-and-varied-0123456789",
        "DJANGO_ALLOWED_HOSTS": "testserver,hall.example",
        "DATABASE_URL": "sqlite:////tmp/hall-security-test.sqlite3",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "PORTAL_BASE_URL": "https://hall.example",
        **extra,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_every_page_carries_the_policy_and_no_running_inline_script(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == POLICY
    assert RUNNING_INLINE_SCRIPT.findall(response.content.decode()) == []


@pytest.mark.django_db
@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_signed_in_pages_carry_the_policy_and_no_running_inline_script(client, manager_a, path):
    client.force_login(manager_a)

    response = client.get(path, {"hall": "HA"} if path != "/" and path != "/admin/" else {})

    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == POLICY
    assert RUNNING_INLINE_SCRIPT.findall(response.content.decode()) == []


def test_no_template_has_an_inline_script():
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in (ROOT / "templates").rglob("*.html")
        if (found := RUNNING_INLINE_SCRIPT.findall(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_the_api_docs_load_their_script_from_a_file(client):
    html = client.get(reverse("api-docs")).content.decode()

    assert '<script src="/api/docs/?script=' in html


def run_in_production(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_in_production_the_schema_and_docs_are_for_signed_in_users_only():
    result = run_in_production(
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "c = Client()\n"
        "print(c.get('/api/schema/', secure=True).status_code,"
        " c.get('/api/docs/', secure=True).status_code,"
        " 'script-src' in c.get('/api/docs/', secure=True)['Content-Security-Policy'])\n"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["403", "403", "True"]


def test_check_deploy_is_clean_in_production():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout

"""Settings for the test suite: fast hashing, in-memory email, eager Celery by default.

Tests that exercise the real broker build their own Celery app against REDIS_URL.
"""

from pathlib import Path

from .base import *  # noqa: F403
from .base import STORAGES, VAR_DIR, env

SECRET_KEY = "test-only-insecure-key"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "test-media")))
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# Links in emails (windows/links.py): one fixed address, whatever PORT the shell has.
PORTAL_BASE_URL = "http://testserver"

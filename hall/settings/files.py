"""Where uploaded and generated files live, and how the private-file views hand them out.

Every file the portal keeps (bulletin workbooks, complaint attachments, measure evidence,
staff photos) is private: it is read through Django's storage API and served only by a
view that checks the user's halls and role (windows/private_files.py). MEDIA_ROOT is
never mounted at a URL, neither by Django nor by the proxy.

- FILE_STORAGE_BACKEND / FILE_STORAGE_OPTIONS (JSON): the default storage. The embedded
  default is FileSystemStorage under MEDIA_ROOT; at scale an S3-compatible object store
  through django-storages (README, "Running at scale"; not installed by default).
- PRIVATE_FILES_SERVER: who sends the bytes once the view has said yes:
  "django" (FileResponse from storage.open(), the embedded default),
  "nginx" (an empty response with X-Accel-Redirect to PRIVATE_FILES_INTERNAL_PREFIX +
  the file's name; nginx serves that prefix from an `internal` location), or
  "apache" (an empty response with X-Sendfile: PRIVATE_FILES_SENDFILE_ROOT + the name).
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

_env = environ.Env()
_VAR_DIR = Path(__file__).resolve().parent.parent.parent / "var"

# No URL serves MEDIA_ROOT (hall/urls.py); FieldFile.url is never linked, only the views.
MEDIA_URL = "media/"
MEDIA_ROOT = Path(_env("MEDIA_ROOT", default=str(_VAR_DIR / "media")))

FILE_STORAGE_BACKEND = _env(
    "FILE_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
)
FILE_STORAGE_OPTIONS = _env.json("FILE_STORAGE_OPTIONS", default={})
STORAGES = {
    "default": {"BACKEND": FILE_STORAGE_BACKEND, "OPTIONS": FILE_STORAGE_OPTIONS},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

PRIVATE_FILES_SERVERS = ("django", "nginx", "apache")
PRIVATE_FILES_SERVER = _env("PRIVATE_FILES_SERVER", default="django")
if PRIVATE_FILES_SERVER not in PRIVATE_FILES_SERVERS:
    raise ImproperlyConfigured(
        f"PRIVATE_FILES_SERVER must be one of {', '.join(PRIVATE_FILES_SERVERS)}, "
        f"not {PRIVATE_FILES_SERVER!r}"
    )
# nginx: the `internal` location that maps to MEDIA_ROOT (or proxies the object store).
PRIVATE_FILES_INTERNAL_PREFIX = _env("PRIVATE_FILES_INTERNAL_PREFIX", default="/protected-media/")
# Apache (mod_xsendfile): the directory the storage's names are relative to; empty means
# MEDIA_ROOT (read when a file is served, so a settings module may move MEDIA_ROOT).
PRIVATE_FILES_SENDFILE_ROOT = _env("PRIVATE_FILES_SENDFILE_ROOT", default="")

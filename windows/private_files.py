"""The one way a stored file leaves the portal: after a view has checked who asks.

Every uploaded or generated file (bulletin workbooks, complaint attachments, measure
evidence, staff photos) is private; MEDIA_ROOT has no public URL. A download view finds
the row through its app's scoping rules, then returns `private_file_response(request,
row.some_file)`. Who sends the bytes is PRIVATE_FILES_SERVER (hall/settings/files.py):

- "django": a FileResponse streaming storage.open() (the embedded default);
- "nginx": an empty response whose X-Accel-Redirect names PRIVATE_FILES_INTERNAL_PREFIX
  plus the file's name, for an `internal` location of the proxy;
- "apache": an empty response whose X-Sendfile names PRIVATE_FILES_SENDFILE_ROOT (by
  default MEDIA_ROOT) plus the file's name, for mod_xsendfile.

Only storage.exists() and storage.open() are used, never .path or .url, so any storage
works (the file system, an S3-compatible object store through django-storages).
"""

from __future__ import annotations

import mimetypes
import posixpath
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header

DEFAULT_CONTENT_TYPE = "application/octet-stream"


def _content_type(filename: str) -> str:
    content_type, encoding = mimetypes.guess_type(filename)
    if encoding or not content_type:
        return DEFAULT_CONTENT_TYPE
    return content_type


def _protect(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    # Should a browser open it anyway (an uploaded .html, an .svg): no script, no requests.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    add_never_cache_headers(response)  # private data: no shared or browser cache keeps it
    return response


def private_file_response(
    request: HttpRequest,
    file: FieldFile | str,
    *,
    storage: Storage | None = None,
    filename: str = "",
) -> HttpResponse:
    """The stored file as an attachment, the caller having checked the user may have it.

    `file` is a FieldFile (its own storage) or a storage name (`storage`, by default the
    default storage). `filename` is the name the browser saves, by default the stored
    file's base name. A blank field or a file missing from the storage is a 404.
    """
    if isinstance(file, FieldFile):
        storage = file.storage
        name = file.name or ""
    else:
        storage = storage or default_storage
        name = file or ""
    if not name or not storage.exists(name):
        raise Http404
    filename = filename or posixpath.basename(name)
    content_type = _content_type(filename)
    server = settings.PRIVATE_FILES_SERVER
    if server == "nginx":
        response = HttpResponse(content_type=content_type)
        prefix = settings.PRIVATE_FILES_INTERNAL_PREFIX.rstrip("/")
        response["X-Accel-Redirect"] = quote(f"{prefix}/{name.lstrip('/')}")
    elif server == "apache":
        response = HttpResponse(content_type=content_type)
        root = str(settings.PRIVATE_FILES_SENDFILE_ROOT or settings.MEDIA_ROOT).rstrip("/")
        response["X-Sendfile"] = quote(f"{root}/{name.lstrip('/')}")
    else:
        response = FileResponse(storage.open(name, "rb"), content_type=content_type)
    return _protect(response, filename)

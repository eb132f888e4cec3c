"""The cache every process of the portal shares: the limits live in it (issue 11 item 4).

Gunicorn's workers, Celery and the management commands are separate processes: a
per-process cache (Django's default, LocMemCache) would count the tablet's throttle and the
pairing attempts once per worker. So the default cache is always a shared one:

* `CACHE_URL` when set (django-environ's syntax), e.g. `redis://127.0.0.1:6379/1`: Django's
  own Redis backend in production. Give it a database of its own: a cache may be cleared
  (FLUSHDB) and must not take the Celery broker's queues with it.
* otherwise the database cache, in the table `hall_cache` of the portal's own database
  (SQLite in the embedded default, PostgreSQL in production without Redis). Migration
  windows/0010_cache_table creates it: nothing to run by hand.

django-axes keeps its database handler (its default, named below): each failed login is a
row of the shared database, which every process sees already, and the rows are the
lockouts' audit trail in the admin. Its cache handler would add nothing but a second place
to look.
"""

import environ

_env = environ.Env()

CACHE_TABLE = "hall_cache"

if _env("CACHE_URL", default=""):
    CACHES = {"default": _env.cache_url("CACHE_URL")}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_TABLE,
            # Django culls a third of the table past 300 rows by default, live counts too:
            # each limited address or tablet holds up to 30 rows (one per counted hit).
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"

# Pairing codes (evaluations/tablet/pairing_limits.py): wrong codes from one address
# before it is refused, over a sliding window; wrong codes from anywhere that alert the
# managers of every hall with a tablet waiting to be paired.
PAIRING_ATTEMPTS_PER_ADDRESS = _env.int("PAIRING_ATTEMPTS_PER_ADDRESS", default=10)
PAIRING_BURST_ALERT = _env.int("PAIRING_BURST_ALERT", default=30)
PAIRING_WINDOW_MINUTES = _env.int("PAIRING_WINDOW_MINUTES", default=15)

"""Time limits of the Celery tasks, the broker's visibility timeout and the email timeouts
that make the bulletin emails go out exactly once (reports/services.py).

The numbers are chained so that a claim can be judged dead from its age alone:

- EMAIL_TIMEOUT (SMTP socket timeout, seconds) bounds each SMTP command of a send.
- BULLETIN_TASK_TIME_LIMIT (hard) kills a bulletin task, so an attempt that claimed a
  delivery is gone at most that long after its claim (prefork pool; the solo pool does not
  enforce time limits).
- BULLETIN_DELIVERY_STALE_AFTER is longer than that hard limit: a delivery still "sending"
  after it belongs to an attempt that died, and the next attempt may send it again (with
  the same Message-ID).
- CELERY_TASK_TIME_LIMIT is every other task's hard limit (REMINDER_STALE_AFTER, the daily
  reminders' claims, is longer).
- The Redis visibility timeout is slightly longer than the longest hard limit and than the
  longest countdown a task retries with (a stale-after), so a task whose worker was killed
  outright is redelivered within minutes, not an hour, and a live or waiting task never is.
"""

import environ

from .base import CELERY_BROKER_TRANSPORT_OPTIONS as _BROKER_OPTIONS
from .base import CELERY_BROKER_URL as _BROKER_URL

_env = environ.Env()

EMAIL_TIMEOUT = _env.int("EMAIL_TIMEOUT", default=30)

BULLETIN_TASK_SOFT_TIME_LIMIT = _env.int("BULLETIN_TASK_SOFT_TIME_LIMIT", default=540)
BULLETIN_TASK_TIME_LIMIT = _env.int("BULLETIN_TASK_TIME_LIMIT", default=600)
BULLETIN_DELIVERY_STALE_AFTER = _env.int(
    "BULLETIN_DELIVERY_STALE_AFTER", default=BULLETIN_TASK_TIME_LIMIT + 60
)

CELERY_TASK_SOFT_TIME_LIMIT = _env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=840)
CELERY_TASK_TIME_LIMIT = _env.int("CELERY_TASK_TIME_LIMIT", default=900)
# The daily reminders run under CELERY_TASK_TIME_LIMIT: a claim older than this is dead.
REMINDER_STALE_AFTER = _env.int("REMINDER_STALE_AFTER", default=CELERY_TASK_TIME_LIMIT + 60)
# So do the duty-leader alerts (complaints/services/alerts.py).
DUTY_ALERT_STALE_AFTER = _env.int("DUTY_ALERT_STALE_AFTER", default=CELERY_TASK_TIME_LIMIT + 60)
CELERY_VISIBILITY_TIMEOUT = _env.int(
    "CELERY_VISIBILITY_TIMEOUT",
    default=max(
        CELERY_TASK_TIME_LIMIT,
        BULLETIN_TASK_TIME_LIMIT,
        BULLETIN_DELIVERY_STALE_AFTER,
        REMINDER_STALE_AFTER,
        DUTY_ALERT_STALE_AFTER,
    )
    + 60,
)

if not str(_BROKER_URL).startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **_BROKER_OPTIONS,
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    }

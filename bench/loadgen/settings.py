"""The portal's settings as `make run` serves them (hall.settings.local, DEBUG off by the
environment), plus the bench's trivial authenticated endpoint (bench/loadgen/urls.py)."""

from hall.settings.local import *  # noqa: F403

ROOT_URLCONF = "bench.loadgen.urls"

"""Where the tablets benchmark (bench/tablets_polling.py) works and what it talks to."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
WORK = Path(os.environ.get("BENCH_TABLETS_DIR", "/tmp/hall-bench-tablets"))
RESULTS = ROOT / "bench" / "results-tablets.json"
POSTGRES_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
HOST = "127.0.0.1"
STATE_PATH = "/tablet/api/state"
POLL_SECONDS = 0.4  # evaluations/tablet/views.py POLL_MS
CONSOLE_USER, CONSOLE_PASSWORD = "lh001", "Demo@2026"  # seed_demo's login of badge LH001
HALL = "LH01"
WARMUP_SECONDS = 3.0
HTTP_TIMEOUT = 15.0

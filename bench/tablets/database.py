"""The benchmark's own database (a SQLite file under /tmp, or a hall_bench_* PostgreSQL
database created and dropped here), the environment of its processes, and Django set up in
this one."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from .config import POSTGRES_ADMIN, PYTHON, ROOT, WORK


def backend_of(url: str) -> str:
    return "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"


def with_conn_max_age(url: str, seconds: int) -> str:
    return f"{url}{'&' if '?' in url else '?'}conn_max_age={seconds}" if seconds else url


def create_database(url: str) -> None:
    if backend_of(url) == "sqlite":
        path = Path(url.removeprefix("sqlite:///")).resolve()
        if not str(path).startswith("/tmp/"):
            raise SystemExit(f"the SQLite file must be under /tmp, not {path}")
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    if not re.fullmatch(r"hall_bench_\w+", name):
        raise SystemExit(f"refusing to drop and create {name!r}: use a hall_bench_* name")
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    if backend_of(url) == "sqlite":
        return
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench_env(database_url: str, conn_max_age: int) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hall.settings.local",  # what `make run` uses
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-tablets-" + "x" * 40,
        "DATABASE_URL": with_conn_max_age(database_url, conn_max_age),
        # Nothing of this run lands in the working tree's var/.
        "MEDIA_ROOT": str(WORK / "media"),
        "EMAIL_FILE_PATH": str(WORK / "outbox"),
        "CELERY_FILESYSTEM_BROKER_DIR": str(WORK / "celery-broker"),
        "CELERY_RESULT_BACKEND": f"file://{WORK / 'celery-results'}",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    for folder in ("media", "outbox", "celery-broker/queue", "celery-broker/control"):
        (WORK / folder).mkdir(parents=True, exist_ok=True)
    (WORK / "celery-results").mkdir(parents=True, exist_ok=True)
    return env


def manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def django_setup(env: dict) -> None:
    for key in ("DJANGO_SETTINGS_MODULE", "DJANGO_DEBUG", "DJANGO_SECRET_KEY", "DATABASE_URL",
                "MEDIA_ROOT", "EMAIL_FILE_PATH", "CELERY_FILESYSTEM_BROKER_DIR",
                "CELERY_RESULT_BACKEND", "LOG_LEVEL"):  # fmt: skip
        os.environ[key] = env[key]
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


def database_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("show server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"

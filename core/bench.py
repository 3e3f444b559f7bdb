"""What the benchmark commands share (`make bench`): each measures inside its own database on
the same PostgreSQL server (never the application's), created and migrated the first time, and
runs its measuring half as a child process with DATABASE_URL pointing there."""

import os
import re
import subprocess
import sys

import dj_database_url
import psycopg2
from django.conf import settings
from django.core.management.base import CommandError


def default_url() -> str:
    port = os.environ.get("PG_PORT", "55432")
    return f"postgres://procurement:procurement@127.0.0.1:{port}/procurement"


def url_with_db(url: dict, name: str) -> str:
    return f"postgres://{url['USER']}:{url['PASSWORD']}@{url['HOST']}:{url['PORT']}/{name}"


def run_in_bench_db(db: str, command: str, argv: list[str]) -> None:
    """Create `db` if it is missing, migrate it, then run `manage.py <command> --child <argv>` in it."""
    if not re.fullmatch(r"procurement_bench\w*", db):  # it is interpolated into CREATE DATABASE
        raise CommandError("--db: procurement_bench_<name>")
    url = dj_database_url.parse(os.environ.get("DATABASE_URL", "") or default_url())
    admin = psycopg2.connect(dbname="postgres", user=url["USER"], password=url["PASSWORD"], host=url["HOST"],
                             port=url["PORT"])
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{db}"')
    admin.close()
    env = {**os.environ, "DATABASE_URL": url_with_db(url, db)}
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True)
    subprocess.run([*manage, command, "--child", *argv], env=env, check=True)

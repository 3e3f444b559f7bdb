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
from django.core.management.base import BaseCommand, CommandError
from django.db import connections


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


def admin_connection():
    """An autocommit connection to the server's maintenance database (CREATE/DROP DATABASE)."""
    s = settings.DATABASES["default"]
    conn = psycopg2.connect(dbname="postgres", user=s["USER"], password=s["PASSWORD"], host=s["HOST"],
                            port=s["PORT"])
    conn.autocommit = True
    return conn


def use_database(name: str) -> None:
    """Point this process's default connection at database `name` (a bench database)."""
    connections.close_all()
    settings.DATABASES["default"]["NAME"] = name
    connections["default"].settings_dict["NAME"] = name


class BenchCommand(BaseCommand):
    """A benchmark command in two halves: run by hand it creates and migrates its database, then
    runs itself there with `--child`; the child generates its data once (`_ensure_data`) and
    measures (`_measure`). Subclasses name the command and database and pass on their options."""

    command: str  # this command's name, for the child process
    bench_db: str

    def add_arguments(self, parser):
        parser.add_argument("--child", action="store_true", help=self.bench_db)

    def handle(self, *args, **opts):
        if not opts["child"]:
            return run_in_bench_db(self.database(opts), self.command, self.child_argv(opts))
        self._ensure_data(opts)
        self._measure(opts)

    def database(self, opts) -> str:
        return self.bench_db

    def child_argv(self, opts) -> list[str]:
        raise NotImplementedError

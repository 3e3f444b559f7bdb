"""Issue 18 item 1: report pages read from a real streaming replica of the primary.

`make test` starts the replica (`scripts/services.sh replica-up`: pg_basebackup + standby on
PG_PORT + 100). The test process itself mirrors the replica alias onto the primary (Django's
test databases), so the page is rendered in a child process configured like production:
`DATABASE_URL` = the primary's test database, `DATABASE_REPLICA_URL` = the same database
name on the replica. The child counts the queries each connection ran."""

import json
import os
import subprocess
import sys
import textwrap
import time
from datetime import date

import psycopg2
import pytest
import time_machine
from django.conf import settings
from django.db import connection

from monitoring import services
from parties.models import OrgKind

from .conftest import figures

OCT = date(2026, 10, 1)
PG_PORT = int(os.environ.get("PG_PORT", "55432"))
REPLICA_PORT = int(os.environ.get("PG_REPLICA_PORT", PG_PORT + 100))

CHILD = textwrap.dedent("""
    import json, sys
    import django
    django.setup()
    from django.db import connections
    from django.test import Client
    from parties.models import User

    username, first = sys.argv[1], sys.argv[2]
    client = Client()
    client.force_login(User.objects.get(username=username))
    if first == "post":   # the user's own write pins the next reads to the primary
        client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    # Log queries without opening a connection (CaptureQueriesContext would connect to
    # the replica itself and so defeat the fallback case).
    for alias in ("default", "replica"):
        connections[alias].force_debug_cursor = True
    start = len(connections["default"].queries_log)
    response = client.get("/monitoring/?month=2026-10&kind=drug")
    primary = list(connections["default"].queries_log)[start:]
    replica = list(connections["replica"].queries_log)
    snap = "monitoring_reportversion"   # the rates are the reports' (issue 15 item 4)
    print(json.dumps({
        "status": response.status_code,
        "body": response.content.decode(),
        "replica_snapshot_reads": sum(snap in q["sql"] for q in replica),
        "primary_snapshot_reads": sum(snap in q["sql"] for q in primary),
    }))
""")


def _dsn(port):
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}:{db['PASSWORD']}@127.0.0.1:{port}/{db['NAME']}"


def _replica_up():
    subprocess.run(["scripts/services.sh", "replica-up"], cwd=settings.BASE_DIR, check=True,
                   capture_output=True, env={**os.environ, "PG_PORT": str(PG_PORT)})


def _wait_for_replay(timeout=20):
    """Until the replica has replayed everything the primary has written so far."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        lsn = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with psycopg2.connect(_dsn(REPLICA_PORT), connect_timeout=2) as replica, replica.cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            in_recovery, replayed = cursor.fetchone()
        assert in_recovery, "the replica must be a standby"
        if replayed:
            return
        time.sleep(0.2)
    raise AssertionError("the replica did not replay the primary's writes in time")


def _render(username, first="get"):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "procurement.settings.test",
           "DATABASE_URL": _dsn(PG_PORT), "DATABASE_REPLICA_URL": _dsn(REPLICA_PORT),
           "REPLICA_RETRY_SECONDS": "60", "DJANGO_ALLOWED_HOSTS": "testserver"}
    done = subprocess.run([sys.executable, "-c", CHILD, username, first], cwd=settings.BASE_DIR, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


@pytest.fixture
def rates_written(regions, make_org, make_user, nanjing):
    """Nanjing at 90.00 % for October (its hospital's report), committed on the primary."""
    hospital = make_org(OrgKind.INSTITUTION, city=nanjing, level=3)
    with time_machine.travel("2026-11-10 10:00 +0800", tick=False):
        services.report_submit(user=make_user(hospital), month=OCT, figures=figures(drug_total=1000, drug_platform=900))
    return make_user(kind=OrgKind.PROVINCE_REGULATOR)


@pytest.mark.django_db(transaction=True)
def test_report_page_is_served_from_the_streaming_replica(rates_written):
    _replica_up()
    _wait_for_replay()
    page, _log = _render(rates_written.username)
    assert page["status"] == 200
    assert "南京市" in page["body"] and "90.00" in page["body"]
    # The rate figures were read on the replica, none on the primary.
    assert page["replica_snapshot_reads"] >= 3 and page["primary_snapshot_reads"] == 0


@pytest.mark.django_db(transaction=True)
def test_after_the_users_own_write_reports_stay_on_the_primary(rates_written):
    _replica_up()
    page, _log = _render(rates_written.username, first="post")
    assert page["status"] == 200 and "90.00" in page["body"]
    assert page["replica_snapshot_reads"] == 0 and page["primary_snapshot_reads"] >= 3


@pytest.mark.django_db(transaction=True)
def test_with_the_replica_stopped_reports_fall_back_to_the_primary_with_a_log_line(rates_written):
    subprocess.run(["scripts/services.sh", "replica-down"], cwd=settings.BASE_DIR, check=True,
                   capture_output=True, env={**os.environ, "PG_PORT": str(PG_PORT)})
    try:
        page, log = _render(rates_written.username)
    finally:
        _replica_up()
    assert page["status"] == 200 and "南京市" in page["body"] and "90.00" in page["body"]
    assert page["replica_snapshot_reads"] == 0 and page["primary_snapshot_reads"] >= 3
    assert "replica database unreachable; reports read from the primary" in log

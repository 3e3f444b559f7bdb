"""The in-app inbox: unread count, filter, pagination, mark read, links, and privacy."""

import threading
import time

import pytest
from django.db import connection, transaction

from notifications.models import Notification
from notifications.services import notify
from parties.models import Organisation


@pytest.fixture
def alice(make_user):
    return make_user(username="alice")


@pytest.fixture
def bob(make_user):
    return make_user(username="bob")


def test_unread_count_in_top_bar_and_filter(client, alice, bob):
    notify([alice], kind="t", title="消息一")
    notify([alice], kind="t", title="消息二")
    [read] = notify([alice], kind="t", title="已读的消息")
    read.read_at = read.created_at
    read.save()
    notify([bob], kind="t", title="鲍勃的消息")
    client.force_login(alice)
    body = client.get("/notifications/").content.decode()
    assert 'data-testid="unread-count">2<' in body
    assert "消息一" in body and "消息二" in body and "已读的消息" in body
    assert "鲍勃的消息" not in body
    unread = client.get("/notifications/?unread=1").content.decode()
    assert "消息一" in unread and "消息二" in unread and "已读的消息" not in unread


def test_inbox_paginates_and_keeps_the_filter(client, alice):
    for i in range(45):
        notify([alice], kind="t", title=f"批量消息{i:02d}")
    client.force_login(alice)
    first = client.get("/notifications/?unread=1").content.decode()
    assert "第 1 / 3 页，共 45 条" in first
    assert "批量消息44" in first and "批量消息24" not in first  # newest first, 20 per page
    assert "unread=1&amp;page=2" in first
    third = client.get("/notifications/?unread=1&page=3").content.decode()
    assert "批量消息00" in third and "批量消息05" not in third


def test_opening_a_message_marks_it_read_and_follows_its_link(client, alice):
    [n] = notify([alice], kind="t", title="请处理", url="/history/parties/organisation/1/")
    client.force_login(alice)
    r = client.get(f"/notifications/{n.pk}/")
    assert r.status_code == 302 and r.url == "/history/parties/organisation/1/"
    n.refresh_from_db()
    assert n.read_at is not None
    assert 'data-testid="unread-count"' not in client.get("/notifications/").content.decode()


def test_a_message_without_url_leads_to_its_targets_page(client, alice, monkeypatch):
    monkeypatch.setattr(
        Organisation, "get_absolute_url", lambda self: f"/history/parties/organisation/{self.pk}/", raising=False
    )
    org = alice.organisation
    n = Notification.objects.create(recipient=alice, kind="t", title="看机构", target=org)
    client.force_login(alice)
    assert client.get(f"/notifications/{n.pk}/").url == f"/history/parties/organisation/{org.pk}/"


def test_notify_takes_the_url_from_the_target(alice, monkeypatch):
    monkeypatch.setattr(Organisation, "get_absolute_url", lambda self: f"/org/{self.pk}/", raising=False)
    [n] = notify([alice], kind="t", title="x", target=alice.organisation)
    assert n.url == f"/org/{alice.organisation.pk}/" and n.target == alice.organisation


def test_an_offsite_link_is_never_followed(client, alice):
    [n] = notify([alice], kind="t", title="可疑", url="https://evil.example.com/")
    client.force_login(alice)
    assert client.get(f"/notifications/{n.pk}/").url == "/notifications/"


def test_mark_all_read(client, alice, bob):
    notify([alice, bob], kind="t", title="群发")
    notify([alice], kind="t", title="第二条")
    client.force_login(alice)
    assert client.get("/notifications/read-all/").status_code == 405  # only by POST
    r = client.post("/notifications/read-all/", follow=True)
    assert "已将 2 条消息标为已读" in r.content.decode()
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=bob, read_at__isnull=True).count() == 1  # bob's untouched


def test_nobody_opens_another_users_message(client, alice, bob):
    [n] = notify([bob], kind="t", title="鲍勃的私信", url="/")
    client.force_login(alice)
    r = client.get(f"/notifications/{n.pk}/")
    assert r.status_code == 404
    n.refresh_from_db()
    assert n.read_at is None  # and it stays unread for its owner


def test_inbox_requires_login(client, db):
    r = client.get("/notifications/")
    assert r.status_code == 302 and "/accounts/login/" in r.url


def test_dedupe_key_delivers_once_when_called_twice(alice, bob):
    first = notify([alice, bob], kind="t", title="到期提醒", dedupe_key="prc1:case7:due")
    again = notify([alice, bob], kind="t", title="到期提醒", dedupe_key="prc1:case7:due")
    assert len(first) == 2 and again == []
    assert Notification.objects.filter(dedupe_key="prc1:case7:due").count() == 2
    # A different key is a different message.
    assert len(notify([alice], kind="t", title="到期提醒", dedupe_key="prc1:case8:due")) == 1


def test_without_dedupe_key_every_call_delivers(alice):
    notify([alice], kind="t", title="a")
    notify([alice], kind="t", title="a")
    assert Notification.objects.filter(recipient=alice).count() == 2


@pytest.mark.django_db(transaction=True)
def test_dedupe_key_delivers_once_when_two_workers_send_at_once(reference_regions, make_user):
    """Worker A has inserted but not yet committed when worker B sends the same reminder:
    B's pre-check cannot see A's rows, so the unique index must decide. B waits on it, then
    delivers nothing and reports nothing; A's messages are the only ones."""
    users = [make_user(username=f"conc{i}") for i in range(3)]
    a_inserted, b_started = threading.Event(), threading.Event()
    results, errors = {}, []

    def worker_a():
        try:
            with transaction.atomic():
                results["a"] = notify(users, kind="t", title="并发提醒", dedupe_key="neg3:77")
                a_inserted.set()
                b_started.wait(timeout=10)
                time.sleep(0.5)  # B is now blocked on the unique index
        except Exception as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    def worker_b():
        try:
            a_inserted.wait(timeout=10)
            b_started.set()
            results["b"] = notify(users, kind="t", title="并发提醒", dedupe_key="neg3:77")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker_a), threading.Thread(target=worker_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert len(results["a"]) == 3 and results["b"] == []
    assert Notification.objects.filter(dedupe_key="neg3:77").count() == 3


def test_notify_many_one_insert_delivers_once_per_key(alice, bob, django_assert_num_queries):
    """notify_many (a job's reminders in bulk): one statement; a message whose (recipient,
    dedupe_key) is already delivered — earlier or twice in the same batch — is dropped and not counted."""
    from notifications.services import Message, notify_many

    batch = [Message(recipient_id=alice.pk, kind="t", title="滞后提醒", body="甲", dedupe_key="k1"),
             Message(recipient_id=bob.pk, kind="t", title="滞后提醒", body="乙", dedupe_key="k1"),
             Message(recipient_id=bob.pk, kind="t", title="滞后提醒", body="乙", dedupe_key="k1")]
    with django_assert_num_queries(3):  # savepoint, the INSERT, release
        assert notify_many(batch) == 2
    assert notify_many(batch) == 0
    assert Notification.objects.get(recipient=bob, dedupe_key="k1").body == "乙"
    assert Notification.objects.filter(dedupe_key="k1").count() == 2
    assert notify_many([]) == 0

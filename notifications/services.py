"""The one service every reminder, warning and deadline notice goes through."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connections, router, transaction
from django.utils import timezone

from .models import Notification
from .text import Text, stored


def notify(
    recipients: Iterable,
    *,
    kind: str,
    title: str | Text,
    body: str | Text = "",
    level: str = Notification.Level.INFO,
    target=None,
    url: str = "",
    dedupe_key: str | None = None,
) -> list[Notification]:
    """Put a message in each recipient's inbox and return the notifications created now.

    With `dedupe_key`, a recipient who already has a message with that key gets nothing new
    — safe to call from retried jobs and from two workers at once: the partial unique index
    (recipient, dedupe_key) decides; the loser of a race inserts nothing in its
    own statement (ON CONFLICT DO NOTHING), so it neither delivers twice nor reports a delivery."""
    recipients = list({u.pk: u for u in recipients}.values())
    if not recipients:
        return []
    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    if not url and target is not None and hasattr(target, "get_absolute_url"):
        url = target.get_absolute_url()
    title, i18n = _texts(title, body)
    body = i18n.pop("_body")
    rows = [
        Notification(
            recipient=u, level=level, kind=kind, title=title[:200], body=body, url=url,
            target_type=target_type, target_id=str(target.pk) if target is not None else "",
            dedupe_key=dedupe_key, i18n=i18n,
        )
        for u in recipients
    ]
    if dedupe_key is None:
        with transaction.atomic():
            return Notification.objects.bulk_create(rows)
    return _insert_once(rows)


def _texts(title, body) -> tuple[str, dict]:
    """The Chinese title, and the i18n JSON (with the Chinese body under "_body", popped by the
    caller): a `notifications.text.Text` is stored so that it is shown in the reader's language."""
    title_zh, title_json = stored(title)
    body_zh, body_json = stored(body)
    i18n = {k: v for k, v in (("title", title_json), ("body", body_json)) if v}
    return title_zh, {**i18n, "_body": body_zh}


def _insert_once(rows: list[Notification], *, count_only: bool = False):
    """One `INSERT … ON CONFLICT DO NOTHING RETURNING` for every recipient of a dedupe key:
    the partial unique index (recipient, dedupe_key) decides, in one statement and without a
    transaction per row; RETURNING names exactly the rows inserted now, so a recipient who
    already had the message (or got it meanwhile from a concurrent sender) is not reported."""
    fields = [f for f in Notification._meta.concrete_fields if not f.primary_key]
    connection = connections[router.db_for_write(Notification)]
    params, values = [], []
    for row in rows:
        values.append("(" + ", ".join(["%s"] * len(fields)) + ")")
        params.extend(f.get_db_prep_save(f.pre_save(row, add=True), connection) for f in fields)
    qn = connection.ops.quote_name
    sql = (
        f"INSERT INTO {qn(Notification._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
        f"VALUES {', '.join(values)} "
        # The conflict target is the partial unique index notification_once_per_recipient_and_key.
        f"ON CONFLICT ({qn('recipient_id')}, {qn('dedupe_key')}) WHERE {qn('dedupe_key')} IS NOT NULL "
        f"DO NOTHING RETURNING {qn('id')}, {qn('recipient_id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        returned = cursor.fetchall()
    if count_only:
        return len(returned)
    # notify: one dedupe key, distinct recipients — the recipient names the row.
    inserted = dict((recipient_id, pk) for pk, recipient_id in returned)
    created = []
    for row in rows:
        if row.recipient_id in inserted:
            row.pk = inserted[row.recipient_id]
            row._state.adding = False
            row._state.db = connection.alias
            created.append(row)
    return created


@dataclass(frozen=True)
class Message:
    """One message for notify_many: a different text per recipient is allowed."""

    recipient_id: int
    kind: str
    title: str | Text
    body: str | Text = ""
    level: str = Notification.Level.INFO
    url: str = ""
    dedupe_key: str | None = None


def notify_many(messages: Iterable[Message]) -> int:
    """Deliver many messages with one statement (a job's reminders to hundreds of
    institutions); returns how many were created now. Same dedupe rule as `notify`."""
    rows = []
    for m in messages:
        title, i18n = _texts(m.title, m.body)
        rows.append(Notification(recipient_id=m.recipient_id, level=m.level, kind=m.kind, title=title[:200],
                                 body=i18n.pop("_body"), url=m.url, target_id="", dedupe_key=m.dedupe_key, i18n=i18n))
    if not rows:
        return 0
    with transaction.atomic():
        return _insert_once(rows, count_only=True)


def mark_read(user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's own unread messages read (all, or those in `ids`); returns how many."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())

"""The one service every reminder, warning and deadline notice goes through."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Notification


def notify(
    recipients: Iterable,
    *,
    kind: str,
    title: str,
    body: str = "",
    level: str = Notification.Level.INFO,
    target=None,
    url: str = "",
    dedupe_key: str | None = None,
) -> list[Notification]:
    """Put a message in each recipient's inbox and return the notifications created now.

    With `dedupe_key`, a recipient who already has a message with that key gets nothing new
    — safe to call from retried jobs and from two workers at once: the partial unique index
    (recipient, dedupe_key) decides; the loser of a race gets an IntegrityError inside its
    own savepoint, which is swallowed, so it neither delivers twice nor reports a delivery."""
    recipients = list({u.pk: u for u in recipients}.values())
    if not recipients:
        return []
    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    if not url and target is not None and hasattr(target, "get_absolute_url"):
        url = target.get_absolute_url()
    rows = [
        Notification(
            recipient=u, level=level, kind=kind, title=str(title)[:200], body=str(body), url=url,
            target_type=target_type, target_id=str(target.pk) if target is not None else "",
            dedupe_key=dedupe_key,
        )
        for u in recipients
    ]
    if dedupe_key is None:
        with transaction.atomic():
            return Notification.objects.bulk_create(rows)
    existing = set(
        Notification.objects.filter(dedupe_key=dedupe_key, recipient__in=recipients).values_list(
            "recipient_id", flat=True
        )
    )
    created = []
    for row in rows:
        if row.recipient_id in existing:
            continue
        try:
            with transaction.atomic():
                row.save(force_insert=True)
        except IntegrityError:
            continue  # delivered meanwhile by a concurrent sender
        created.append(row)
    return created


def mark_read(user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's own unread messages read (all, or those in `ids`); returns how many."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())

"""The one service every reminder, warning and deadline notice goes through."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
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
    """Put a message in each recipient's inbox. With `dedupe_key`, a recipient who already
    has a message with that key gets nothing new (safe to call from retried jobs).
    Returns the notifications created now."""
    recipients = list({u.pk: u for u in recipients}.values())
    if not recipients:
        return []
    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    if not url and target is not None and hasattr(target, "get_absolute_url"):
        url = target.get_absolute_url()
    rows = [
        Notification(
            recipient=u, level=level, kind=kind, title=title[:200], body=body, url=url,
            target_type=target_type, target_id=str(target.pk) if target is not None else "",
            dedupe_key=dedupe_key,
        )
        for u in recipients
    ]
    with transaction.atomic():
        if dedupe_key is None:
            return Notification.objects.bulk_create(rows)
        # ON CONFLICT DO NOTHING on the partial unique index: concurrent senders deliver once.
        existing = set(
            Notification.objects.filter(dedupe_key=dedupe_key, recipient__in=recipients).values_list(
                "recipient_id", flat=True
            )
        )
        fresh = [r for r in rows if r.recipient_id not in existing]
        created = Notification.objects.bulk_create(fresh, ignore_conflicts=True)
        return created


def mark_read(user, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())

"""Forms never lose work (issue 15 item 2): files kept as pending uploads of their user after a
refused submission, and long forms saved as drafts of the user's organisation.

A file is checked by content (`core.uploads.check_upload`) before it is kept; only its owner
may attach it again — or, once it belongs to a draft, a user of the draft's organisation.
An id typed by anyone else is refused as if it did not exist (NotFound, nothing changes)."""

from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.audit import audit_context
from core.errors import NotFound
from core.models import FormDraft, PendingUpload
from core.uploads import DOCUMENT_TYPES, check_upload


def keep_upload(user, upload, *, allowed=DOCUMENT_TYPES, max_bytes=None, field="file") -> PendingUpload:
    """Check `upload` by content and keep it for `user`; raises InvalidInput (nothing kept) when
    the file is refused."""
    info = check_upload(upload, allowed=allowed, max_bytes=max_bytes, field=field)
    with transaction.atomic(), audit_context(user, reason="暂存上传文件"):
        return PendingUpload.objects.create(owner=user, file=upload, original_name=(upload.name or "")[:200],
                                            size=info.size, mime=info.mime)


def usable_uploads(user):
    """The pending uploads `user` may see and attach."""
    own = Q(owner=user)
    org = getattr(user, "organisation_id", None)
    if org is not None:
        own |= Q(draft__organisation_id=org)
    return PendingUpload.objects.filter(own)


def pending_upload(user, pk) -> PendingUpload:
    """The pending upload `pk` if `user` may attach it, else NotFound (another user's id)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    found = usable_uploads(user).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def as_file(pending: PendingUpload) -> File:
    """The kept file, open and named as the user named it, ready to be checked and saved again."""
    return File(pending.file.open("rb"), name=pending.original_name)


def discard_uploads(uploads) -> None:
    """Delete kept files once attached elsewhere (or removed by their user)."""
    for item in uploads:
        name, storage = item.file.name, item.file.storage
        item.delete()
        # The file goes only once the row's deletion is committed: a rolled-back submission keeps both.
        transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))


def save_draft(user, *, kind, subject="", title="", data, uploads=(), draft=None) -> FormDraft:
    """Create or update a draft of `user`'s organisation with the typed `data` and link the kept
    `uploads` to it (so they outlive the pending-upload age limit)."""
    with transaction.atomic(), audit_context(user, reason="保存草稿"):
        if draft is None:
            draft = FormDraft(kind=kind, organisation_id=user.organisation_id, created_by=user)
        draft.subject, draft.title, draft.data = str(subject), title[:200], data
        draft.save()
        keep = [u.pk for u in uploads]
        draft.uploads.exclude(pk__in=keep).update(draft=None)
        PendingUpload.objects.filter(pk__in=keep).update(draft=draft)
    return draft


def drafts_for(user, kind):
    """The drafts of `user`'s organisation (none for a user without one), newest first."""
    org = getattr(user, "organisation_id", None)
    return FormDraft.objects.filter(kind=kind, organisation_id=org).order_by("-updated_at") if org \
        else FormDraft.objects.none()


def draft_for(user, kind, pk) -> FormDraft:
    """Draft `pk` if it belongs to `user`'s organisation, else NotFound."""
    try:
        return drafts_for(user, kind).get(pk=int(pk))
    except (FormDraft.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None


def delete_draft(draft: FormDraft) -> None:
    """A submitted draft goes; the files it held were attached to the real record."""
    discard_uploads(list(draft.uploads.all()))
    draft.delete()


def purge_abandoned(now=None) -> int:
    """Delete pending uploads not attached within PENDING_UPLOAD_MAX_AGE_DAYS (unless a draft
    holds them) and drafts untouched for DRAFT_MAX_AGE_DAYS, with their files. Idempotent."""
    now = now or timezone.now()
    old_drafts = FormDraft.objects.filter(updated_at__lt=now - timedelta(days=settings.DRAFT_MAX_AGE_DAYS))
    count = 0
    for draft in old_drafts:
        delete_draft(draft)
        count += 1
    stale = PendingUpload.objects.filter(draft__isnull=True,
                                         created_at__lt=now - timedelta(days=settings.PENDING_UPLOAD_MAX_AGE_DAYS))
    items = list(stale)
    discard_uploads(items)
    return count + len(items)

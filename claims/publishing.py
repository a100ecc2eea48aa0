"""The editorial workflow: draft → in review → published, and back; deletion and restoration.

This module is the only writer of a source's `status`, `published_at`, `published_by` and
`deleted_at`, and of the review trail (`ReviewEvent`). Every function takes the user it acts for
(`by`) and checks that user's permission itself, so that the admin, the API, the importers and
the commands all meet the same gate:

- submitting for review and deleting or restoring a draft need `claims.change_source` /
  `claims.delete_source` (editors and reviewers);
- publishing, unpublishing, returning work to its editor and deleting a source that is
  published or in review need `claims.publish_source` (reviewers).

A refused move raises `NotAllowed` (a `PermissionDenied`: 403 in the API and the admin); a move
the source's state does not allow raises `WorkflowError` (a `ValueError`: 400, or a message).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from claims import freshness, revisions, summaries
from claims.adjudicating import AdjudicationError, check_settled
from claims.models import ReviewAction, ReviewEvent, Source

PUBLISH = "claims.publish_source"
# The fields no form, revert, serializer or import may write: they move only through here.
PUBLICATION_FIELDS = ("status", "published_at", "published_by", "deleted_at")


class WorkflowError(ValueError):
    """The requested move is not allowed from the source's current state."""


class NotAllowed(PermissionDenied):
    """The user may not make this move (or has not been named: a move needs a person)."""


def may_publish(user) -> bool:
    return bool(user is not None and user.is_active and user.has_perm(PUBLISH))


def _require(user, permission: str, message: str) -> None:
    if user is None or not user.is_authenticated or not user.is_active:
        raise NotAllowed(f"{message} It needs a signed-in user.")
    if not user.has_perm(permission):
        raise NotAllowed(message)


def _record(source: Source, action: str, by, note: str = "", at: datetime | None = None) -> None:
    ReviewEvent.objects.create(
        source=source, action=action, by=by, note=note.strip(), at=at or timezone.now()
    )


def _locked(source: Source) -> Source:
    """The source as stored now, locked until the move commits: two reviewers acting on one
    source at once make their moves one after the other, each from the state the other left."""
    current = Source.all_objects.select_for_update().get(pk=source.pk)
    for name in ("status", "published_at", "published_by_id", "deleted_at", "version", "modified"):
        setattr(source, name, getattr(current, name))
    return source


def _save(source: Source) -> None:
    """Save a move. One that takes a source onto or off the site makes stale only the public
    answers it changes (`claims.freshness`) and brings the proposition summaries up to date once
    it commits; a move between draft and review changes nothing public."""
    fields = ["status", "published_at", "published_by", "deleted_at", "modified"]
    stored = Source.all_objects.filter(pk=source.pk).values_list("status", flat=True).first()
    if Source.Status.PUBLISHED not in (stored, source.status):
        source.save(update_fields=fields)
        return
    freshness.scope_publication(source)
    source.save(update_fields=fields)
    freshness.end_publication(source)
    # Last in the transaction: a transaction holding these rows takes no other lock after.
    # Taking a source off the site is a withdrawal: no answer from before it is served again.
    withdrawal = stored == Source.Status.PUBLISHED
    freshness.bump(freshness.publication_tags(source), withdrawal=withdrawal)
    summaries.refresh_after_commit()


@transaction.atomic
def publish_source(*, source: Source, by, note: str = "") -> Source:
    """Make a source and its claims public. Idempotent: publishing twice keeps the first date.
    A double-read source must be adjudicated first (claims.adjudicating.check_settled).
    Publishing a working copy publishes it as the new revision of its source
    (claims.revisions.apply_working_copy) and returns that source."""
    _require(by, PUBLISH, "Only reviewers may publish a source.")
    _locked(source)
    if source.is_deleted:
        raise WorkflowError("A deleted source cannot be published; restore it first.")
    if source.revision_of_id is not None:
        published = revisions.apply_working_copy(working_copy=source, by=by)
        _record(published, ReviewAction.PUBLISHED, by, note or "A new revision published.")
        summaries.refresh_after_commit()
        return published
    if source.status != Source.Status.PUBLISHED:
        _require_settled(source)
        source.status = Source.Status.PUBLISHED
        source.published_at = timezone.now()
        source.published_by = by
        _save(source)
        _record(source, ReviewAction.PUBLISHED, by, note)
    return source


@transaction.atomic
def unpublish_source(*, source: Source, by, note: str = "") -> Source:
    """Take a published source back to draft: it disappears from every public page, list and
    export. A source in review is returned to its editor instead (`return_to_editor`)."""
    _require(by, PUBLISH, "Only reviewers may unpublish a source.")
    _locked(source)
    if source.status == Source.Status.IN_REVIEW:
        raise WorkflowError(
            "It is in review, not published: return it to its editor, with a comment, instead."
        )
    if source.status == Source.Status.PUBLISHED:
        source.status = Source.Status.DRAFT
        source.published_at = None
        source.published_by = None
        _save(source)
        _record(source, ReviewAction.UNPUBLISHED, by, note)
    return source


@transaction.atomic
def submit_for_review(*, source: Source, by, note: str = "") -> Source:
    """A draft goes to the reviewers, once its readings (if several) are adjudicated. The note
    tells the reviewer what to look at."""
    _require(by, "claims.change_source", "Only editors and reviewers may submit for review.")
    _locked(source)
    if source.is_deleted:
        raise WorkflowError("A deleted source cannot be submitted; restore it first.")
    if source.status == Source.Status.PUBLISHED:
        raise WorkflowError("A published source is already reviewed; unpublish it first.")
    if source.status != Source.Status.IN_REVIEW:
        _require_settled(source)
        source.status = Source.Status.IN_REVIEW
        _save(source)
        _record(source, ReviewAction.SUBMITTED, by, note)
    return source


@transaction.atomic
def return_to_editor(*, source: Source, by, comment: str) -> Source:
    """Send a source in review back to draft with the reviewer's comment, which its editors see
    on the source's page in the admin."""
    _require(by, PUBLISH, "Only reviewers may return a source to its editor.")
    if not comment.strip():
        raise WorkflowError("comment: say what the editor should change.")
    _locked(source)
    if source.status != Source.Status.IN_REVIEW:
        raise WorkflowError("Only a source in review can be returned to its editor.")
    source.status = Source.Status.DRAFT
    _save(source)
    _record(source, ReviewAction.RETURNED, by, comment)
    return source


@transaction.atomic
def delete_source(*, source: Source, by, note: str = "") -> Source:
    """Take a source out of sight, keeping it with its claims, stances and history so that it
    can be restored (`restore_source`). A published source is unpublished first; deleting one
    that is published or in review is a reviewer's act."""
    _require(by, "claims.delete_source", "You may not delete sources.")
    _locked(source)
    if source.is_deleted:
        return source
    if source.status != Source.Status.DRAFT and not may_publish(by):
        raise NotAllowed(
            f"“{source.title}” is {source.get_status_display().lower()}: only reviewers may "
            "delete it."
        )
    source.status = Source.Status.DRAFT
    source.published_at = None
    source.published_by = None
    source.deleted_at = timezone.now()
    _save(source)
    _record(source, ReviewAction.DELETED, by, note)
    return source


@transaction.atomic
def restore_source(*, source: Source, by, note: str = "") -> Source:
    """Bring a deleted source back, as a draft, with the claims and stances it had."""
    _require(by, "claims.change_source", "You may not restore sources.")
    _locked(source)
    if not source.is_deleted:
        return source
    source.deleted_at = None
    source.status = Source.Status.DRAFT
    source.published_at = None
    source.published_by = None
    _save(source)
    _record(source, ReviewAction.RESTORED, by, note)
    return source


@dataclass(frozen=True)
class Recorded:
    """Publication state as a reviewed file records it (the seed corpus)."""

    status: str
    note: str


@transaction.atomic
def apply_recorded_state(*, source: Source, recorded: Recorded) -> Source:
    """Set a newly created source to the state an operator's reviewed corpus records for it.

    This is the one move without a person: `load_seeds` ships the project's own reviewed corpus
    and says so in its help and output. Files from elsewhere go through `import_sources --as`.
    """
    _locked(source)
    if recorded.status == Source.Status.PUBLISHED and source.status != recorded.status:
        _require_settled(source)
        source.status = Source.Status.PUBLISHED
        source.published_at = timezone.now()
        _save(source)
        _record(source, ReviewAction.PUBLISHED, None, recorded.note)
    elif recorded.status == Source.Status.IN_REVIEW and source.status == Source.Status.DRAFT:
        source.status = Source.Status.IN_REVIEW
        _save(source)
        _record(source, ReviewAction.SUBMITTED, None, recorded.note)
    return source


def check_manifest_status(*, status: str, by, where: str = "manifest") -> None:
    """A manifest may ask for a source to be published only for a user who may publish."""
    if status == Source.Status.PUBLISHED and not may_publish(by):
        who = f"“{by.get_username()}”" if by is not None else "no one (give --as <username>)"
        raise NotAllowed(
            f'{where}: status = "published" needs a user who may publish; this import acts '
            f"as {who}."
        )


def keep_publication_state(*, source: Source) -> Source:
    """Put back the stored publication state on an instance about to be saved from a form or
    a history revert: content may change there, publication state may not."""
    try:
        current = Source.all_objects.only(*PUBLICATION_FIELDS).get(pk=source.pk)
    except Source.DoesNotExist:
        source.status, source.published_at, source.published_by = Source.Status.DRAFT, None, None
        source.deleted_at = None
        return source
    for name in ("status", "published_at", "published_by_id", "deleted_at"):
        setattr(source, name, getattr(current, name))
    return source


# The wording of each kind of vocabulary, and whether published material uses a given row.
def _proposition_in_public_use(pk: int) -> bool:
    from claims.models import Stance

    return Stance.objects.published().filter(proposition_id=pk).exists()


def _topic_in_public_use(pk: int) -> bool:
    from claims.visibility import public_topic_ids

    return pk in public_topic_ids()


def _actor_in_public_use(pk: int) -> bool:
    from claims.visibility import public_actors

    return public_actors().filter(pk=pk).exists()


WORDING = {
    "proposition": ("text", _proposition_in_public_use),
    "topic": ("name", _topic_in_public_use),
    "actor": ("name", _actor_in_public_use),
}


def check_rewording(*, instance, wording: str, by) -> None:
    """Refuse a change to the wording of a proposition, topic or actor that published material
    uses, unless `by` may publish: readers would see words no reviewer approved. New rows and
    rows only drafts use are the editors' to word."""
    field_name, in_public_use = WORDING[instance._meta.model_name]
    if instance.pk is None or may_publish(by):
        return
    stored = type(instance)._default_manager.filter(pk=instance.pk).values_list(field_name)
    current = stored.first()
    if current is None or current[0] == wording:
        return
    if in_public_use(instance.pk):
        raise NotAllowed(
            f"{field_name}: published material uses this {instance._meta.verbose_name}; only "
            "reviewers may change its wording."
        )


def last_event(source: Source, action: str) -> ReviewEvent | None:
    return (
        source.review_events.filter(action=action).select_related("by").order_by("-at", "-pk")
    ).first()


def _require_settled(source: Source) -> None:
    try:
        check_settled(source)
    except AdjudicationError as error:
        raise WorkflowError(str(error)) from None

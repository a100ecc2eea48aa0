"""Pieces every model of the app shares."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import ValidationError
from django.db import models


class PublishedReadOnly(ValidationError):
    """A write to the published revision of a source (its text, metadata, claims or stances).

    The public sees only what a reviewer published, so those rows change only when a reviewer
    publishes a working copy (claims.revisions); editors edit the working copy instead.
    """

    def __init__(self, source=None, message: str | None = None) -> None:
        self.source_slug = getattr(source, "slug", None)
        if message is None:
            name = f"“{source.title}”" if source is not None else "This source"
            message = (
                f"{name} is published: its published revision cannot be edited. "
                "Edit it in a new revision (a working copy) and have a reviewer publish it."
            )
        super().__init__(message, code="published_read_only")


_published_writes: ContextVar[int] = ContextVar("published_writes", default=0)


@contextmanager
def published_writes():
    """Allow writes to published rows inside the block. Only publishing a working copy,
    unpublishing and restoring a backup use it (claims.revisions, claims.publishing,
    claims.backup_load)."""
    token = _published_writes.set(_published_writes.get() + 1)
    try:
        yield
    finally:
        _published_writes.reset(token)


def published_writes_allowed() -> bool:
    return _published_writes.get() > 0


class TimestampedModel(models.Model):
    """Adds `created` and `modified`, kept by the database layer on every save."""

    created = models.DateTimeField(auto_now_add=True, db_index=False)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(models.Model):
    """Adds a `version` counter, raised on every save, that forms send back so that a save based
    on stale data can be refused instead of silently overwriting someone else's edit."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            self.version = (self.version or 0) + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)


def choices_check(
    field: str, choices: type[models.TextChoices], name: str
) -> models.CheckConstraint:
    """A named CHECK that keeps a TextChoices column inside its choices at the database level."""
    return models.CheckConstraint(condition=models.Q(**{f"{field}__in": choices.values}), name=name)

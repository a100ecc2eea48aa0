"""Publishers, authors and the sources they publish."""

import hashlib

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from .base import (
    PublishedReadOnly,
    TimestampedModel,
    VersionedModel,
    choices_check,
    published_writes_allowed,
)


class PublisherKind(models.TextChoices):
    NEWS = "news", "News"
    ANALYSIS = "analysis", "Analysis"
    JOURNAL = "journal", "Journal"
    BLOG = "blog", "Blog"
    REPUBLISHER = "republisher", "Republisher"


class Publisher(TimestampedModel):
    """An outlet that publishes sources: a news site, a think tank's journal, a blog."""

    Kind = PublisherKind

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    homepage = models.URLField(blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ANALYSIS)
    country = models.CharField(
        max_length=2, blank=True, help_text="ISO 3166 two-letter code of the outlet's home country."
    )
    language = models.CharField(
        max_length=35,
        blank=True,
        help_text="Main language of the outlet, as a BCP 47 tag (en, ar).",
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [choices_check("kind", PublisherKind, "publisher_kind_valid")]

    def __str__(self) -> str:
        return self.name


class Author(TimestampedModel):
    """A person who wrote or translated a source. Unsigned sources simply have none."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    bio = models.TextField(blank=True, help_text="As the author or the outlet describes them.")
    homepage = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["name"], name="author_name_idx")]

    def __str__(self) -> str:
        return self.name


class SourceQuerySet(models.QuerySet):
    def published(self) -> "SourceQuerySet":
        """What the public may see. Every public view and API list starts here."""
        return self.filter(status=Source.Status.PUBLISHED)

    def drafts(self) -> "SourceQuerySet":
        return self.exclude(status=Source.Status.PUBLISHED)

    def in_review(self) -> "SourceQuerySet":
        return self.filter(status=Source.Status.IN_REVIEW)

    def working_copies(self) -> "SourceQuerySet":
        """Drafts of a new revision of a published source (claims.revisions)."""
        return self.filter(revision_of__isnull=False)


class LiveSourceManager(models.Manager.from_queryset(SourceQuerySet)):
    """`Source.objects`: every source except those deleted (kept, restorable, out of sight)."""

    def get_queryset(self) -> SourceQuerySet:
        return super().get_queryset().filter(deleted_at__isnull=True)


class SourceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"


class Source(VersionedModel, TimestampedModel):
    """One document: the unit readers compare. Claims index into its plain-text `body`."""

    Status = SourceStatus

    publisher = models.ForeignKey(
        Publisher,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sources",
        help_text="Leave empty when the outlet is unknown.",
    )
    title = models.CharField(max_length=300)
    title_supplied = models.BooleanField(
        default=False,
        help_text="Tick when the text carries no title and the one above was written by an editor.",
    )
    slug = models.SlugField(max_length=200, unique=True)
    url = models.URLField(
        "URL", blank=True, max_length=500, help_text="Where the original is published."
    )
    published_on = models.DateField(
        null=True, blank=True, help_text="As the source states it; leave empty when it does not."
    )
    language = models.CharField(max_length=35, default="en", help_text="BCP 47 tag of the text.")
    translated_from = models.CharField(
        max_length=35, blank=True, help_text="BCP 47 tag of the original language, if translated."
    )
    body = models.TextField(
        help_text="Plain text that claims point into. Headings and paragraphs are separate blocks."
    )
    body_sha256 = models.CharField(max_length=64, editable=False, blank=True)
    blocks = models.JSONField(
        default=list,
        blank=True,
        help_text="Layout of the body: {kind, level, start, end} per heading, paragraph or item.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    provenance = models.JSONField(
        default=dict,
        blank=True,
        help_text="Where the text came from: file, checksum, importer version, what was removed.",
    )
    deleted_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Set when the source was deleted: it is kept, with its claims and stances, "
        "out of every list and page, until restored from its history.",
    )
    authors = models.ManyToManyField(Author, through="Authorship", related_name="sources")
    revision_of = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="working_copy",
        help_text="The published source this draft is a new revision of (its working copy).",
    )

    objects = LiveSourceManager()
    # Deleted sources included: slugs stay unique across both, backups carry them, and the
    # history screen brings them back.
    all_objects = SourceQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["body_sha256"])

    class Meta:
        ordering = ["-published_on", "title"]
        default_manager_name = "all_objects"
        permissions = [("publish_source", "Can publish and unpublish sources")]
        constraints = [
            choices_check("status", SourceStatus, "source_status_valid"),
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
                name="source_published_has_timestamp",
            ),
            models.CheckConstraint(condition=~models.Q(body=""), name="source_body_not_empty"),
        ]
        indexes = [
            models.Index(fields=["status", "-published_on"], name="source_status_date_idx"),
            # The most recently published sources (the compare picker's suggestions).
            models.Index(fields=["status", "-published_at"], name="source_status_published_idx"),
            models.Index(fields=["language"], name="source_language_idx"),
            # The sources in their own order (the admin's list): a page of 50 without sorting
            # every source.
            models.Index(fields=["-published_on", "title", "-id"], name="source_order_idx"),
            # How many public sources an outlet has, counted from the index alone.
            models.Index(
                fields=["publisher"],
                name="source_public_publisher_idx",
                condition=models.Q(status="published", deleted_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding and self.pk is not None:
            self._refuse_published_change(kwargs.get("update_fields"))
        # The checksum is derived from the body, so it is recomputed rather than trusted.
        self.body_sha256 = hashlib.sha256(self.body.encode("utf-8")).hexdigest()
        if kwargs.get("update_fields") is not None and "body" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body_sha256"}
        super().save(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def _refuse_published_change(self, update_fields) -> None:
        """The published revision's content is read-only: compare what is saved with the
        stored row and refuse any difference (workflow fields may still change)."""
        if published_writes_allowed():
            return
        fields = [
            name
            for name in CONTENT_FIELDS
            if update_fields is None or name in update_fields or f"{name}_id" in update_fields
        ]
        if not fields:
            return
        attnames = [self._meta.get_field(name).attname for name in fields]
        stored = (
            Source.objects.filter(pk=self.pk, status=Source.Status.PUBLISHED)
            .values(*attnames)
            .first()
        )
        if stored is None:
            return
        deferred = self.get_deferred_fields()
        if any(name not in deferred and getattr(self, name) != stored[name] for name in attnames):
            raise PublishedReadOnly(self)


# What a reviewer approves of a source besides its claims: read-only once published.
CONTENT_FIELDS = (
    "publisher",
    "title",
    "title_supplied",
    "slug",
    "url",
    "published_on",
    "language",
    "translated_from",
    "body",
    "blocks",
    "provenance",
)


class AuthorshipRole(models.TextChoices):
    AUTHOR = "author", "Author"
    TRANSLATOR = "translator", "Translator"


class SourcePart(models.Model):
    """A row of a source's content (claim, stance, byline, confirmed silence). The published
    revision is read-only (claims.revisions): every save and delete of such a row passes here
    and is refused while the source it is on, or was on, is published."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        refuse_if_published(self.held_by())
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        refuse_if_published(self.held_by())
        return super().delete(*args, **kwargs)

    def held_by(self) -> models.Q:
        """The sources this row is on (and was on, if the save moves it)."""
        return models.Q(pk=self.source_id)


class Authorship(SourcePart):
    """Ties an author to a source in a role, in byline order."""

    Role = AuthorshipRole

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="authorships")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="authorships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.AUTHOR)
    order = models.PositiveSmallIntegerField(default=0, help_text="Position in the byline.")

    class Meta:
        ordering = ["source", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "author", "role"], name="authorship_unique_role"
            ),
            choices_check("role", AuthorshipRole, "authorship_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.author} ({self.get_role_display().lower()}) — {self.source}"


def refuse_if_published(where: models.Q) -> None:
    """Raise PublishedReadOnly if a published source matches `where` (outside publishing)."""
    if published_writes_allowed():
        return
    source = (
        Source.objects.filter(where, status=Source.Status.PUBLISHED)
        .only("pk", "title", "slug")
        .order_by("pk")
        .first()
    )
    if source is not None:
        raise PublishedReadOnly(source)

"""What claims are about: topics, the actors they name, and the propositions they take sides on."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, F, OuterRef
from simple_history.models import HistoricalRecords

from .base import TimestampedModel, VersionedModel, choices_check


class Topic(TimestampedModel):
    """A subject heading such as "South Caucasus" or, below it, "Zangezur corridor"."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")), name="topic_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # Walk up the chain so that a topic can never end up as its own ancestor.
        ancestor, seen = self.parent, set()
        while ancestor is not None and ancestor.pk not in seen:
            if self.pk is not None and ancestor.pk == self.pk:
                raise ValidationError({"parent": "A topic cannot sit below itself."})
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


class ActorKind(models.TextChoices):
    STATE = "state", "State"
    PERSON = "person", "Person"
    ORGANISATION = "organisation", "Organisation"


class Actor(TimestampedModel):
    """A state, person or organisation named in claims, or speaking in them."""

    Kind = ActorKind

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    wikidata_id = models.CharField(
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^Q[1-9][0-9]*$", "A Wikidata id looks like Q794.")],
        help_text="Optional Wikidata item, e.g. Q794 for Iran.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            choices_check("kind", ActorKind, "actor_kind_valid"),
            models.UniqueConstraint(
                fields=["wikidata_id"],
                condition=~models.Q(wikidata_id=""),
                name="actor_wikidata_id_unique",
            ),
        ]
        indexes = [models.Index(fields=["name"], name="actor_name_idx")]

    def __str__(self) -> str:
        return self.name


class PropositionQuerySet(models.QuerySet):
    def published(self) -> "PropositionQuerySet":
        """Propositions that at least one published source takes a stance on.

        Read from the proposition's summary (`PropositionSummary.sources`, one row by primary
        key) when it is settled; a summary that a write has marked and not yet brought up to
        date, or a missing one, is not trusted, and the stances are asked instead. The same
        answer as asking every proposition's stances, which joins the published stances of the
        whole corpus (a tenth of a second per list at a million claims)."""
        from .annotations import Stance
        from .caching import PropositionSummary

        settled = PropositionSummary.objects.filter(
            proposition=OuterRef("pk"), settled__gte=F("marks")
        )
        stances = Stance.objects.published().filter(proposition=OuterRef("pk"))
        return self.filter(
            Exists(settled.filter(sources__gt=0)) | (~Exists(settled) & Exists(stances))
        )


class Proposition(VersionedModel, TimestampedModel):
    """A canonical, checkable statement that sources support, contradict or leave open."""

    text = models.TextField(
        help_text="One checkable statement, worded neutrally, e.g. "
        "“Russia supports Azerbaijan's plan for a Zangezur corridor.”"
    )
    slug = models.SlugField(max_length=200, unique=True)
    topics = models.ManyToManyField(Topic, related_name="propositions", blank=True)
    notes = models.TextField(
        blank=True, help_text="For editors: what counts as supporting or contradicting it."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = PropositionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(text=""), name="proposition_text_not_empty"),
        ]

    def __str__(self) -> str:
        return self.text


class PropositionVector(models.Model):
    """A proposition's sentence embeddings, its wording's and its notes' (each embedded apart),
    kept so that no process embeds every proposition when it starts:
    claims.suggesting.propositions reads these and computes only the missing or stale ones (a
    new proposition, a reworded one, new notes, another model).

    A table of its own rather than a field of Proposition: writing a vector must not count as
    an edit (no new version, no history row, no `modified` that would move the index's
    marker), and the 1.5 KB vector stays out of the proposition's history and exports.
    """

    proposition = models.OneToOneField(
        Proposition, on_delete=models.CASCADE, primary_key=True, related_name="vector"
    )
    model = models.CharField(max_length=100, help_text="The model that computed the vector.")
    text_hash = models.CharField(
        max_length=64,
        help_text="SHA-256 of the texts embedded: the wording, and the notes if any, joined "
        "by U+001F.",
    )
    vector = models.BinaryField(
        help_text="The wording's embedding: little-endian float32 values, unit length."
    )
    notes_vector = models.BinaryField(
        null=True,
        blank=True,
        help_text="The notes' embedding, computed apart from the wording's (none without notes).",
    )
    computed = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "proposition vector"

    def __str__(self) -> str:
        return f"{self.model} vector of proposition {self.proposition_id}"

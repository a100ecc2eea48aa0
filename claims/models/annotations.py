"""Claims (spans of a source's body) and the stances that tie them to propositions."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from simple_history.models import HistoricalRecords

from claims.anchoring import CONTEXT_LENGTH, AnchorError, check_span

from .assignments import hidden_claims, hidden_stances
from .base import TimestampedModel, VersionedModel, choices_check
from .sources import Source, SourcePart, refuse_if_published
from .vocabulary import Actor, Proposition


class AnchorState(models.TextChoices):
    ANCHORED = "anchored", "Anchored"
    REANCHORED = "reanchored", "Re-anchored after an edit"
    WORDS_CHANGED = "words_changed", "Words changed: stances to re-check"
    ORPHANED = "orphaned", "Orphaned: not found in the current text"


class ClaimQuerySet(models.QuerySet):
    def published(self) -> "ClaimQuerySet":
        """Claims on published sources: the only ones the public may see. An orphaned claim
        (its words are no longer in the text) is never shown, whatever its source."""
        return self.filter(source__status=Source.Status.PUBLISHED).exclude(
            anchor_state=AnchorState.ORPHANED
        )

    def visible_to(self, user) -> "ClaimQuerySet":
        """Leave out what a blind reader may not see yet: the other readers' claims on a source
        whose readings are not all done (claims.models.assignments); and the claims of deleted
        sources, kept only to come back with them."""
        return self.exclude(hidden_claims(user)).filter(source__deleted_at__isnull=True)

    def with_source(self, *related: str) -> "ClaimQuerySet":
        """Claims joined with their source (and `related` paths beyond it), without the
        source's text, layout and provenance: a page of claims needs the source's name and
        link, not 50 copies of its body and its decoded JSON."""
        return self.select_related("source", *related).defer(*SOURCE_PAYLOAD)


# Columns of a source that listings of its claims never need.
SOURCE_PAYLOAD = ("source__body", "source__blocks", "source__provenance")


class ClaimKind(models.TextChoices):
    FACTUAL = "factual", "Factual"
    ANALYSIS = "analysis", "Analysis"
    FORECAST = "forecast", "Forecast"
    OPINION = "opinion", "Opinion"


class ClaimAttribution(models.TextChoices):
    """Whose view a claim expresses. Only the source's own claims make its position; the others
    are shown beside it."""

    OWN = "own", "Own view"
    REPORTED = "reported", "Reported view"
    COUNTERPOINT = "counterpoint", "Counterpoint"
    BACKGROUND = "background", "Background"


class Claim(SourcePart, VersionedModel, TimestampedModel):
    """An assertion made in one source, anchored as a span of its body.

    `start` and `end` count Unicode code points (W3C TextPositionSelector); `prefix` and `suffix`
    are the surrounding text (W3C TextQuoteSelector) used to find the span again after an edit.
    """

    Kind = ClaimKind
    Attribution = ClaimAttribution

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="claims")
    start = models.PositiveIntegerField(help_text="Offset of the first character, in code points.")
    end = models.PositiveIntegerField(help_text="Offset just after the last character.")
    quote = models.TextField(help_text="Exactly the text between start and end.")
    prefix = models.CharField(max_length=CONTEXT_LENGTH, blank=True)
    suffix = models.CharField(max_length=CONTEXT_LENGTH, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ANALYSIS)
    attribution = models.CharField(
        max_length=20,
        choices=Attribution.choices,
        default=Attribution.OWN,
        help_text=(
            "Whose view this is: the source's own; a view it reports (set the speaker); a view it "
            "presents to rebut or concede; or background about an earlier period. Only the "
            "source's own claims count towards its position."
        ),
    )
    speaker = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="spoken_claims",
        help_text="Whose view this is, when the source reports someone else's view.",
    )
    actors = models.ManyToManyField(Actor, related_name="claims", blank=True)
    note = models.TextField(blank=True)
    anchor_state = models.CharField(
        max_length=20, choices=AnchorState.choices, default=AnchorState.ANCHORED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    revision_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="copies",
        help_text="In a working copy: the published claim this one will replace when published.",
    )

    objects = ClaimQuerySet.as_manager()
    # Actors are kept in the history too, so that a deleted claim comes back whole.
    history = HistoricalRecords(m2m_fields=[actors])

    class Meta:
        ordering = ["source", "start", "end"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end")), name="claim_start_before_end"
            ),
            models.CheckConstraint(
                condition=Exact(Length("quote"), models.F("end") - models.F("start")),
                name="claim_quote_length_matches_span",
            ),
            choices_check("kind", ClaimKind, "claim_kind_valid"),
            choices_check("attribution", ClaimAttribution, "claim_attribution_valid"),
            choices_check("anchor_state", AnchorState, "claim_anchor_state_valid"),
            # quote == source.body[start:end] spans two tables, so it is enforced by the
            # triggers of migration 0002 (named claim_quote_matches_body).
        ]
        indexes = [
            models.Index(fields=["source", "start"], name="claim_source_start_idx"),
            models.Index(fields=["kind"], name="claim_kind_idx"),
            models.Index(fields=["anchor_state"], name="claim_anchor_state_idx"),
            # How many claims a source shows (orphaned ones are shown nowhere), from the index.
            models.Index(
                fields=["source"],
                name="claim_shown_source_idx",
                condition=~models.Q(anchor_state="orphaned"),
            ),
        ]

    def __str__(self) -> str:
        quote = self.quote if len(self.quote) <= 80 else self.quote[:77] + "…"
        return f"“{quote}”"

    def clean(self) -> None:
        if self.source_id is None or self.start is None or self.end is None:
            return
        if self.anchor_state == AnchorState.ORPHANED:
            return
        try:
            check_span(self.source.body, self.start, self.end, self.quote or None)
        except AnchorError as error:
            raise ValidationError({"quote": str(error)}) from None

    def held_by(self) -> models.Q:
        # The source it is on, and the one it was on (if the save moves it): one query, the
        # stored row read by its key (a join through the claims would scan them all).
        where = models.Q(pk=self.source_id)
        if not self._state.adding and self.pk is not None:
            where |= models.Q(pk=_stored(Claim.objects.filter(pk=self.pk), "source_id"))
        return where


def _stored(rows: models.QuerySet, field: str) -> models.Subquery:
    """The stored value of `field` in the one row of `rows`, as a scalar subquery: compared
    with a key it is an index lookup."""
    return models.Subquery(rows.order_by().values(field)[:1])


class StanceLabel(models.TextChoices):
    SUPPORTS = "supports", "Supports"
    CONTRADICTS = "contradicts", "Contradicts"
    MIXED = "mixed", "Mixed"
    NEUTRAL = "neutral", "Neutral"


class StanceQuerySet(models.QuerySet):
    def published(self) -> "StanceQuerySet":
        """Stances on claims of published sources, leaving out those awaiting re-checking and
        those of orphaned claims: neither counts publicly."""
        return self.filter(
            claim__source__status=Source.Status.PUBLISHED, needs_recheck=False
        ).exclude(claim__anchor_state=AnchorState.ORPHANED)

    def visible_to(self, user) -> "StanceQuerySet":
        """Leave out the other readers' stances on a source the user reads blind, and the
        stances on deleted sources."""
        return self.exclude(hidden_stances(user)).filter(claim__source__deleted_at__isnull=True)


class Stance(SourcePart, VersionedModel, TimestampedModel):
    """One annotator's reading of how a claim bears on a proposition."""

    Label = StanceLabel

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="stances")
    proposition = models.ForeignKey(Proposition, on_delete=models.PROTECT, related_name="stances")
    label = models.CharField(max_length=20, choices=StanceLabel.choices)
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stances"
    )
    note = models.TextField(blank=True)
    needs_recheck = models.BooleanField(
        default=False,
        help_text=(
            "Set when the words of the claim changed: the stance counts nowhere until an editor "
            "confirms or changes it."
        ),
    )
    revision_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="copies",
        help_text="In a working copy: the published stance this one will replace when published.",
    )

    objects = StanceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["claim", "proposition"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "proposition", "annotator"], name="stance_unique_per_annotator"
            ),
            choices_check("label", StanceLabel, "stance_label_valid"),
        ]
        indexes = [
            models.Index(fields=["proposition", "label"], name="stance_proposition_label_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_label_display()}: {self.proposition.slug}"

    def held_by(self) -> models.Q:
        # The source of its claim, and of the claim it was on (if the save moves it), each
        # read by key.
        where = models.Q(pk=_stored(Claim.objects.filter(pk=self.claim_id), "source_id"))
        if not self._state.adding and self.pk is not None:
            was_on = _stored(Stance.objects.filter(pk=self.pk), "claim_id")
            where |= models.Q(pk=_stored(Claim.objects.filter(pk=was_on), "source_id"))
        return where


@receiver(m2m_changed, sender=Claim.actors.through)
def _actors_of_published_claims_read_only(sender, instance, action, reverse, pk_set, **kwargs):
    """`claim.actors.set()` writes the link table directly, past Claim.save."""
    if action not in {"pre_add", "pre_remove", "pre_clear"}:
        return
    if not reverse:
        refuse_if_published(models.Q(claims__pk=instance.pk))
    elif pk_set:
        refuse_if_published(models.Q(claims__pk__in=pk_set))
    else:
        refuse_if_published(models.Q(claims__actors=instance.pk))

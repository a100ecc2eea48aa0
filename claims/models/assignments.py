"""Work handed to annotators (Assignment) and the decisions that settle their differences
(Adjudication)."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from simple_history.models import HistoricalRecords

from .base import TimestampedModel, choices_check
from .sources import Source


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned", "Assigned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class Assignment(TimestampedModel):
    """A source given to one annotator to read. A *blind* reader sees no one else's claims or
    stances on the source until every reader assigned to it has marked their reading done."""

    Status = AssignmentStatus

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="assignments")
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    blind = models.BooleanField(
        default=True,
        help_text="Hide the other readers' claims and stances from this reader until every "
        "reader of the source is done.",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    status = models.CharField(
        max_length=20, choices=AssignmentStatus.choices, default=AssignmentStatus.ASSIGNED
    )
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    done_at = models.DateTimeField(null=True, blank=True, editable=False)
    reading = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="The reader's claims and stances as handed in (kept for agreement figures).",
    )

    history = HistoricalRecords(excluded_fields=["reading"])

    class Meta:
        ordering = ["source", "annotator"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "annotator"], name="assignment_unique_per_annotator"
            ),
            choices_check("status", AssignmentStatus, "assignment_status_valid"),
        ]
        indexes = [models.Index(fields=["annotator", "status"], name="assignment_queue_idx")]
        permissions = [("adjudicate_source", "Can adjudicate between annotators")]

    def __str__(self) -> str:
        return f"{self.source} → {self.annotator} ({self.get_status_display()})"


def blind_sources_for(user) -> models.QuerySet:
    """Sources on which `user` reads blind and some reader is not done yet: on these, the user
    sees only their own claims and stances. Every path that lists claims or stances to an
    editor (annotation screen, admin, API) filters through this."""
    pending = Assignment.objects.filter(source=OuterRef("source")).exclude(
        status=AssignmentStatus.DONE
    )
    return Assignment.objects.filter(Exists(pending), annotator=user, blind=True).values("source")


def hidden_claims(user) -> Q:
    """Claims the user may not see yet: others' claims on their blind sources."""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    return Q(source__in=blind_sources_for(user)) & ~Q(created_by=user)


def hidden_stances(user) -> Q:
    """Stances the user may not see yet: others' stances on their blind sources."""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    return Q(claim__source__in=blind_sources_for(user)) & ~Q(annotator=user)


class AdjudicationDecision(models.TextChoices):
    MERGED = "merged", "All readers agreed (merged automatically)"
    ACCEPTED = "accepted", "One reading accepted"
    EDITED = "edited", "Accepted, then edited"
    NO_CLAIM = "no_claim", "No claim here"


class Adjudication(models.Model):
    """A reviewer's decision on one unit of a double-read source: the span range it covers,
    which claims were kept, who decided, and the readings as they stood (the claims that lost
    are deleted, and their history keeps them)."""

    Decision = AdjudicationDecision

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="adjudications")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    decision = models.CharField(max_length=20, choices=AdjudicationDecision.choices)
    kept = models.ManyToManyField("claims.Claim", blank=True, related_name="adjudications")
    accepted_annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Whose reading was kept.",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)
    readings = models.JSONField(default=list, help_text="Every reading of the unit, as decided.")
    note = models.TextField(blank=True)

    history = HistoricalRecords(excluded_fields=["readings"])

    class Meta:
        ordering = ["source", "start", "decided_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=models.F("end")), name="adjudication_start_before_end"
            ),
            choices_check("decision", AdjudicationDecision, "adjudication_decision_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} at {self.start}–{self.end}"

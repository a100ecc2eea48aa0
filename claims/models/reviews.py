"""The review trail: every move of a source through the editorial workflow, who made it and why."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .base import choices_check
from .sources import Source


class ReviewAction(models.TextChoices):
    SUBMITTED = "submitted", "Submitted for review"
    RETURNED = "returned", "Returned to editor"
    PUBLISHED = "published", "Published"
    UNPUBLISHED = "unpublished", "Unpublished"
    DELETED = "deleted", "Deleted"
    RESTORED = "restored", "Restored"


class ReviewEvent(models.Model):
    """One move of a source, written by `claims.publishing` and by nothing else."""

    Action = ReviewAction

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="review_events")
    action = models.CharField(max_length=20, choices=ReviewAction.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when an operator's command made the move (seed corpus).",
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["source", "at", "pk"]
        constraints = [choices_check("action", ReviewAction, "review_event_action_valid")]
        indexes = [
            models.Index(fields=["source", "-at"], name="review_event_source_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.source_id} at {self.at:%Y-%m-%d %H:%M}"

"""An editor's word that a source says nothing on a proposition."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from .sources import Source, SourcePart
from .vocabulary import Proposition


class ConfirmedSilenceQuerySet(models.QuerySet):
    def published(self) -> "ConfirmedSilenceQuerySet":
        """Silences of published sources: the only ones the public may see."""
        return self.filter(source__status=Source.Status.PUBLISHED)


class ConfirmedSilence(SourcePart):
    """A source checked for a proposition and found silent on it.

    Distinguishes "confirmed silent" from "not addressed" (nobody looked) in the matrices. It
    holds only while the source has no claim with a stance on the proposition: the annotation
    service removes it when such a stance is added, and readers ignore it wherever one exists.
    """

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="silences")
    proposition = models.ForeignKey(Proposition, on_delete=models.CASCADE, related_name="silences")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True, help_text="Optional: what was checked.")

    objects = ConfirmedSilenceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "proposition"], name="confirmed_silence_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} is silent on {self.proposition}"

    def clean(self) -> None:
        from .annotations import Stance

        if (
            self.source_id
            and self.proposition_id
            and Stance.objects.filter(
                claim__source_id=self.source_id, proposition_id=self.proposition_id
            ).exists()
        ):
            raise ValidationError(
                {"proposition": "The source has a claim on this proposition: it is not silent."}
            )

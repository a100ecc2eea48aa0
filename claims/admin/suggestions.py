"""What the annotation screen suggests: propositions for a claim, near-duplicates of a new
wording, and the sentences to read before confirming that a source is silent.

Everything here reads; the writes go through `claims.annotating` and `claims.silences`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError

from claims.models import ConfirmedSilence, Proposition, Source, Stance
from claims.suggesting.propositions import Suggestion, suggest
from claims.suggesting.sentences import RankedSentence, likely_sentences
from claims.suggesting.text import proposition_document as document

# Propositions offered for the silence check: those filed under the topics the source
# addresses, which it does not address itself.
SILENCE_CANDIDATES = 12


def find_proposition(value: str) -> Proposition | None:
    """The proposition named by a slug or by its exact wording (case and spacing aside)."""
    value = " ".join(value.split())
    if not value:
        return None
    found = Proposition.objects.filter(slug=value).first()
    if found is None:
        found = Proposition.objects.filter(text__iexact=value).first()
    return found


class PropositionField(forms.CharField):
    """A proposition typed by slug or by wording; a wording that names none is refused with
    the closest existing propositions in the message."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        found = find_proposition(value)
        if found is not None:
            return found
        closest = suggest(value, k=3)
        hint = (
            " Closest: "
            + "; ".join(f"“{s.proposition.text}” ({s.proposition.slug})" for s in closest)
            if closest
            else ""
        )
        raise ValidationError(
            "No proposition has that name or wording; pick a suggestion or write it as a new "
            "one." + hint,
            code="invalid_choice",
        )


def addressed_by(source: Source) -> set[int]:
    """Ids of the propositions the source's claims take a stance on."""
    return set(Stance.objects.filter(claim__source=source).values_list("proposition_id", flat=True))


@dataclass(frozen=True)
class SilenceCheck:
    """One proposition checked against a source: the sentences to read, and its state."""

    proposition: Proposition
    sentences: list[RankedSentence]
    addressed: bool
    confirmed: ConfirmedSilence | None


def silence_check(source: Source, proposition: Proposition) -> SilenceCheck:
    """The sentences of `source` most likely to bear on `proposition`."""
    confirmed = (
        ConfirmedSilence.objects.filter(source=source, proposition=proposition)
        .select_related("confirmed_by")
        .first()
    )
    return SilenceCheck(
        proposition=proposition,
        sentences=likely_sentences(source.body, document(proposition.text, proposition.notes)),
        addressed=Stance.objects.filter(claim__source=source, proposition=proposition).exists(),
        confirmed=confirmed,
    )


def silence_candidates(source: Source, addressed: set[int]) -> list[Proposition]:
    """Propositions of the topics the source addresses that it does not address itself and
    has not been confirmed silent on: the first ones worth checking."""
    return list(
        Proposition.objects.filter(topics__propositions__in=addressed)
        .exclude(pk__in=addressed)
        .exclude(silences__source=source)
        .distinct()
        .order_by("text")
        .only("pk", "slug", "text")[:SILENCE_CANDIDATES]
    )


def silences_of(source: Source) -> list[ConfirmedSilence]:
    """The source's confirmed silences, newest first."""
    return list(
        ConfirmedSilence.objects.filter(source=source)
        .select_related("proposition", "confirmed_by")
        .order_by("-confirmed_at")
    )


def claim_suggestions(text: str, addressed: set[int]) -> list[tuple[Suggestion, bool]]:
    """Five propositions for a claim's words, each with whether the source addresses it."""
    return [(s, s.proposition.pk in addressed) for s in suggest(text, k=5)]

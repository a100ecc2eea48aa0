"""Confirming that a source is silent on a proposition, and taking it back.

The annotation screen calls these; `claims.annotating.add_stances` removes a silence when a
stance on the proposition is added to the source.
"""

from __future__ import annotations

from django.db import transaction

from claims.annotating import AnnotationError
from claims.models import ConfirmedSilence, Proposition, Source, Stance


@transaction.atomic
def confirm_silence(
    *, source: Source, proposition: Proposition, by, note: str = ""
) -> ConfirmedSilence:
    """Record that `by` checked `source` and found nothing on `proposition`.

    Refused when a claim of the source already takes a stance on the proposition; confirming
    twice keeps the first record.
    """
    if Stance.objects.filter(claim__source=source, proposition=proposition).exists():
        raise AnnotationError(
            f"This source has a claim on “{proposition.text}”: it is not silent on it."
        )
    silence, _ = ConfirmedSilence.objects.get_or_create(
        source=source, proposition=proposition, defaults={"confirmed_by": by, "note": note}
    )
    return silence


@transaction.atomic
def withdraw_silence(*, source: Source, proposition: Proposition) -> bool:
    """Take back a confirmed silence; returns whether there was one."""
    silence = ConfirmedSilence.objects.filter(source=source, proposition=proposition).first()
    if silence is None:
        return False
    silence.delete()
    return True

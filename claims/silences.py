"""Confirming that a source is silent on a proposition, and taking it back.

The annotation screen calls these; `claims.annotating.add_stances` removes a silence when a
stance on the proposition is added to the source.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from claims.annotating import AnnotationError
from claims.models import ConfirmedSilence, Proposition, Source


@transaction.atomic
def confirm_silence(
    *, source: Source, proposition: Proposition, by, note: str = ""
) -> ConfirmedSilence:
    """Record that `by` checked `source` and found nothing on `proposition`.

    Refused when a claim of the source already takes a stance on the proposition; confirming
    twice keeps the first record.
    """
    existing = ConfirmedSilence.objects.filter(source=source, proposition=proposition).first()
    if existing is not None:
        return existing
    silence = ConfirmedSilence(source=source, proposition=proposition, confirmed_by=by, note=note)
    try:
        silence.full_clean()
    except ValidationError as error:
        raise AnnotationError(" ".join(error.messages)) from error
    silence.save()
    return silence


@transaction.atomic
def withdraw_silence(*, source: Source, proposition: Proposition) -> bool:
    """Take back a confirmed silence; returns whether there was one."""
    silence = ConfirmedSilence.objects.filter(source=source, proposition=proposition).first()
    if silence is None:
        return False
    silence.delete()
    return True

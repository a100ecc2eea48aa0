"""Load a second reader's reading of seed sources (seeds/second_reading.json).

The file has the claim format of annotations.json (source, quote, kind, speaker, stances) plus
each claim's `attribution` (own, reported, counterpoint, background) and a `sources` list naming
the sources read in full. Proposition and actor slugs must exist (annotations.json defines
them), or be declared in the file's own `propositions` (slug, text) and `actors` (slug, name) lists.

The seed sources are published with the first (curated) reading. A second reader's claims,
entered live, would be public at once and count twice in every position, so the second reading
is kept as what it is — a reading handed in — on a done `Assignment`, next to the first reader's
reading taken from the live claims. Agreement figures (admin, API, reading view) are computed from
these two; the published claims stay the first reading until the units are adjudicated (for the
seeds, from seeds/adjudication.json: see adjudication.py).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from claims.anchoring import AnchorError, locate_quote
from claims.assigning import reading_of
from claims.models import Actor, Assignment, AssignmentStatus, Claim, Proposition, Source

from .annotations import _Reader
from .cleaning import normalise
from .sources import ImportFailure, ImportReport

KINDS = {"factual", "analysis", "forecast", "opinion"}
ATTRIBUTIONS = {"own", "reported", "counterpoint", "background"}
LABELS = {"supports", "contradicts", "mixed", "neutral"}
CLAIM_KEYS = {"source", "quote", "kind", "attribution", "speaker", "actors", "note", "stances"}


def _reader_user(reader: _Reader, data: dict):
    spec = reader.table("annotator", data.get("annotator"), {"username", "name"}, {"username"})
    username = reader.text("annotator.username", spec["username"], blank=False)
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        # A byline for a seed reading, not an account anyone logs into.
        user = get_user_model()(username=username, first_name=spec.get("name", ""))
        user.is_active = False
        user.set_unusable_password()
        user.save()
    return user


def _choice(reader: _Reader, where: str, value, allowed: set[str]) -> str:
    if value not in allowed:
        raise reader.fail(where, f"{value!r} is not one of {', '.join(sorted(allowed))}")
    return value


def _declared(reader: _Reader, data: dict, key: str = "propositions", name: str = "text"):
    """Slugs the file declares itself (propositions or actors named since annotations.json was
    written). A reading is data, so they are accepted without creating vocabulary rows."""
    slugs = set()
    for i, spec in enumerate(reader.items(key, data.get(key, []))):
        spec = reader.table(f"{key}[{i}]", spec, {"slug", name}, {"slug", name})
        slugs.add(reader.text(f"{key}[{i}].slug", spec["slug"], blank=False))
    return slugs


def _readings(reader: _Reader, data: dict, sources: dict[str, Source]) -> dict[str, list[dict]]:
    propositions = set(Proposition.objects.values_list("slug", flat=True)) | _declared(reader, data)
    actors = set(Actor.objects.values_list("slug", flat=True)) | _declared(
        reader, data, "actors", "name"
    )
    readings: dict[str, list[dict]] = {slug: [] for slug in sources}
    for i, spec in enumerate(reader.items("claims", data.get("claims"))):
        at = f"claims[{i}]"
        spec = reader.table(at, spec, CLAIM_KEYS, {"source", "quote", "kind", "stances"})
        slug = spec["source"]
        if slug not in sources:
            raise reader.fail(f"{at}.source", f"{slug!r} is not in this file's sources")
        quote = normalise(reader.text(f"{at}.quote", spec["quote"], blank=False)).strip()
        try:
            anchor = locate_quote(sources[slug].body, quote)
        except AnchorError as error:
            raise reader.fail(f"{at}.quote", f"in source {slug!r}: {error}") from None
        speaker = spec.get("speaker")
        if speaker and speaker not in actors:
            raise reader.fail(f"{at}.speaker", f"{speaker!r} is not a known actor")
        stances = {}
        for j, stance in enumerate(reader.items(f"{at}.stances", spec["stances"])):
            where = f"{at}.stances[{j}]"
            stance = reader.table(
                where, stance, {"proposition", "label", "note"}, {"proposition", "label"}
            )
            if stance["proposition"] not in propositions:
                raise reader.fail(
                    f"{where}.proposition", f"{stance['proposition']!r} is not a known proposition"
                )
            stances[stance["proposition"]] = _choice(
                reader, f"{where}.label", stance["label"], LABELS
            )
        readings[slug].append(
            {
                "claim": None,
                "start": anchor.start,
                "end": anchor.end,
                "quote": anchor.quote,
                "kind": _choice(reader, f"{at}.kind", spec["kind"], KINDS),
                "attribution": _choice(
                    reader, f"{at}.attribution", spec.get("attribution", "own"), ATTRIBUTIONS
                ),
                "speaker": speaker or "",
                "stances": stances,
            }
        )
    for items in readings.values():
        items.sort(key=lambda item: (item["start"], item["end"]))
    return readings


def _done(source: Source, annotator, reading: list[dict], report: ImportReport) -> None:
    now = timezone.now()
    values = {
        "blind": True,
        "status": AssignmentStatus.DONE,
        "reading": reading,
        "started_at": now,
        "done_at": now,
    }
    existing = Assignment.objects.filter(source=source, annotator=annotator).first()
    if existing is None:
        Assignment.objects.create(source=source, annotator=annotator, **values)
        report.tally("Readings", "created")
    elif existing.reading != reading:
        for field, value in values.items():
            setattr(existing, field, value)
        existing.save()
        report.tally("Readings", "updated")
    else:
        report.tally("Readings", "unchanged")


def load_second_reading(path: Path, *, report: ImportReport | None = None) -> ImportReport:
    """Record the file's reading and the first reader's (from the live claims) as two done
    assignments per source; one transaction, idempotent. A source already adjudicated keeps
    its readings as they were handed in."""
    report = report or ImportReport()
    reader = _Reader(path.name)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportFailure(path.name, f"cannot be read as JSON ({error})") from None
    reader.table(
        "top level",
        data,
        {"annotator", "sources", "propositions", "actors", "claims"},
        {"annotator", "sources", "claims"},
    )
    slugs = [
        reader.text(f"sources[{i}]", s, blank=False)
        for i, s in enumerate(reader.items("sources", data["sources"]))
    ]
    sources = {source.slug: source for source in Source.objects.filter(slug__in=slugs)}
    missing = sorted(set(slugs) - set(sources))
    if missing:
        raise reader.fail("sources", f"{missing[0]!r} is not a loaded source")
    with transaction.atomic():
        second = _reader_user(reader, data)
        readings = _readings(reader, data, sources)
        settled = set(
            Source.objects.filter(slug__in=slugs, adjudications__isnull=False).values_list(
                "slug", flat=True
            )
        )
        for slug, source in sources.items():
            if slug in settled:
                report.tally("Readings", "unchanged")
                continue
            firsts = set(
                Claim.objects.filter(source=source)
                .exclude(created_by=second)
                .exclude(created_by=None)
                .values_list("created_by", flat=True)
            )
            if len(firsts) != 1:
                raise reader.fail("sources", f"{slug!r} has no single first reader to compare with")
            first = get_user_model().objects.get(pk=firsts.pop())
            _done(source, first, reading_of(source, first), report)
            _done(source, second, readings[slug], report)
    return report

"""Load recorded adjudications of double-read sources (seeds/adjudication.json).

The file settles, unit by unit, the readings handed in on each source it names:

    {"adjudicator": {"username": …, "name": …},
     "units": [{"source": slug, "unit": "<the unit's text>", "decision": "accept" | "edit" |
                "no_claim", "reader": username, "changes": {…}, "reason": "…"}, …]}

A unit is named by its text: the words from the start of its first reader's span to the end of
its last (what the adjudication screen shows). A second reading handed in as data (see
second_reading.py) is first entered as live claims under its reader, then every unit is decided
through `claims.adjudicating.apply_recorded`: agreed units merge, the others follow the file,
and a unit the file does not decide stops the load. What is left is the published reading.

A source that already holds adjudications is left as it is (loading again changes nothing).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from claims import annotating
from claims.adjudicating import AdjudicationError, RecordedDecision, apply_recorded, units_of
from claims.models import Actor, Assignment, AssignmentStatus, Claim, Proposition, Source

from .annotations import _Reader
from .second_reading import ATTRIBUTIONS, KINDS, LABELS, _reader_user
from .sources import ImportFailure, ImportReport

DECISIONS = {"accept", "edit", "no_claim"}
UNIT_KEYS = {"source", "unit", "decision", "reader", "changes", "reason"}


def adjudicated_sources() -> set[str]:
    """Slugs of the sources that hold adjudications: their published reading is settled."""
    return set(Source.objects.filter(adjudications__isnull=False).values_list("slug", flat=True))


def _enter_live(reader: _Reader, source: Source, assignment: Assignment) -> None:
    """Enter a reading handed in as data as live claims under its reader (once), through
    claims.annotating as that reader: anchored, one stance per proposition, in their name."""
    who = assignment.annotator
    if Claim.objects.filter(source=source, created_by=who).exists():
        return
    propositions = {p.slug: p for p in Proposition.objects.all()}
    actors = {a.slug: a for a in Actor.objects.all()}
    items = []
    for i, item in enumerate(assignment.reading):
        try:
            claim = annotating.create_claim(
                source=source,
                start=item["start"],
                end=item["end"],
                kind=item["kind"],
                attribution=item.get("attribution") or Claim.Attribution.OWN,
                speaker=actors.get(item.get("speaker") or ""),
                by=who,
                stances=[
                    annotating.NewStance(label=label, proposition=propositions[slug])
                    for slug, label in item["stances"].items()
                ],
            )
        except annotating.ServiceError as error:
            where = f"{error.field}: " if error.field else ""
            raise reader.fail(
                f"units ({source.slug})",
                f"claim {i} of {who.get_username()}'s reading: {where}{error.message}",
            ) from None
        items.append({**item, "claim": claim.pk})
    # The reading now names the live claims it was entered as (the adjudication links them).
    assignment.reading = items
    assignment.save(update_fields=["reading"])


def _changes(reader: _Reader, where: str, value) -> dict:
    changes = reader.table(where, value, {"kind", "attribution", "stances"}, set())
    if "kind" in changes and changes["kind"] not in KINDS:
        raise reader.fail(f"{where}.kind", f"{changes['kind']!r} is not a claim kind")
    if "attribution" in changes and changes["attribution"] not in ATTRIBUTIONS:
        raise reader.fail(
            f"{where}.attribution", f"{changes['attribution']!r} is not an attribution"
        )
    stances = changes.get("stances", {})
    if not isinstance(stances, dict):
        raise reader.fail(f"{where}.stances", "must be an object (proposition → label)")
    for slug, label in stances.items():
        if label not in LABELS:
            raise reader.fail(f"{where}.stances.{slug}", f"{label!r} is not a stance label")
    return changes


def load_adjudication(path: Path, *, report: ImportReport | None = None) -> ImportReport:
    """Settle the double-read sources the file names; one transaction, idempotent."""
    report = report or ImportReport()
    reader = _Reader(path.name)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportFailure(path.name, f"cannot be read as JSON ({error})") from None
    reader.table("top level", data, {"adjudicator", "units"}, {"adjudicator", "units"})
    by_source: dict[str, list[tuple[int, dict]]] = {}
    for i, spec in enumerate(reader.items("units", data["units"])):
        at = f"units[{i}]"
        spec = reader.table(at, spec, UNIT_KEYS, {"source", "unit", "decision", "reason"})
        if spec["decision"] not in DECISIONS:
            raise reader.fail(f"{at}.decision", f"{spec['decision']!r} is not one of {DECISIONS}")
        if spec["decision"] != "no_claim" and not spec.get("reader"):
            raise reader.fail(f"{at}.reader", "says whose claims are kept")
        if "changes" in spec and spec["decision"] != "edit":
            raise reader.fail(f"{at}.changes", "only an edit has changes")
        reader.text(f"{at}.reason", spec["reason"], blank=False)
        by_source.setdefault(spec["source"], []).append((i, spec))
    sources = {s.slug: s for s in Source.objects.filter(slug__in=by_source)}
    missing = sorted(set(by_source) - set(sources))
    if missing:
        raise reader.fail("units", f"source {missing[0]!r} is not loaded")
    done = adjudicated_sources()
    users = get_user_model().objects
    with transaction.atomic():
        adjudicator = _reader_user(reader, {"annotator": data["adjudicator"]})
        for slug, specs in by_source.items():
            source = sources[slug]
            if slug in done:
                report.tally("Adjudications", "unchanged")
                continue
            assignments = source.assignments.select_related("annotator")
            if assignments.exclude(status=AssignmentStatus.DONE).exists() or len(assignments) < 2:
                raise reader.fail("units", f"{slug!r} has no two readings handed in to settle")
            for assignment in assignments:
                _enter_live(reader, source, assignment)
            units = {source.body[u.start : u.end]: u for u in units_of(source)}
            decisions = []
            for i, spec in specs:
                at = f"units[{i}]"
                unit = units.get(spec["unit"])
                if unit is None:
                    raise reader.fail(f"{at}.unit", f"no unit of {slug!r} has exactly this text")
                annotator = None
                if spec.get("reader"):
                    who = users.filter(username=spec["reader"]).first()
                    if who is None or who.pk not in unit.readings:
                        raise reader.fail(f"{at}.reader", f"{spec['reader']!r} has no claim here")
                    annotator = who.pk
                decisions.append(
                    RecordedDecision(
                        unit.start,
                        unit.end,
                        spec["decision"],
                        annotator,
                        _changes(reader, f"{at}.changes", spec.get("changes", {})),
                        spec["reason"],
                    )
                )
            try:
                records = apply_recorded(source=source, decisions=decisions, by=adjudicator)
            except AdjudicationError as error:
                raise reader.fail(f"units ({slug})", str(error)) from None
            decided = Counter(record.decision for record in records)
            report.counts[("Adjudications", "created")] += len(records)
            report.messages.append(
                f"Adjudicated {slug}: {len(records)} units ("
                + ", ".join(f"{n} {decision}" for decision, n in sorted(decided.items()))
                + ")"
            )
    return report

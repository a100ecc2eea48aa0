"""Settling two (or more) readings of one source into the reading that is published.

The live claims of a double-read source are grouped into units (`claims.agreement.align`:
overlapping spans on the same words). A reviewer decides each unit:

* **accept** one reader's claims: they stay, with their stances; every other reader's claims in
  the unit are deleted (their history keeps them, and the decision records them as they were);
* **no claim here**: every claim in the unit is deleted;
* units on which every reader marked the same spans with the same kind and stances are
  **merged** automatically: the first reader's copy stays, the duplicates go.

Decisions made beforehand and kept as data (the seeds' `seeds/adjudication.json`) are applied
with `apply_recorded`, which settles every unit of a source at once or nothing.

Each decision is an `Adjudication` row naming who decided, when, what was kept and the readings
as they stood. Publication uses what is left: after adjudication every unit holds one reader's
claims, so public pages, positions and exports count each claim once. A source with two or more
readers cannot go for review or be published while a reader is not done or a unit is undecided.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Prefetch

from claims.agreement import AlignedUnit, Reading, align
from claims.annotating import ServiceError, delete_claim, update_claim
from claims.assigning import readers_done
from claims.models import Adjudication, Assignment, Claim, Proposition, Source, Stance, StanceLabel

Decision = Adjudication.Decision


class AdjudicationError(ValueError):
    """The decision cannot be made; the message says why."""


@dataclass
class UnitView:
    """One unit as the adjudication screen shows it."""

    start: int
    end: int
    readings: dict[Hashable, list[Reading]]  # annotator id → their readings in the unit
    agreed: bool
    settled: bool

    @property
    def one_sided(self) -> bool:
        return len(self.readings) == 1


def _readings(source: Source, annotators: Sequence[int]) -> list[Reading]:
    stances = Stance.objects.select_related("proposition")
    claims = (
        Claim.objects.filter(source=source, created_by__in=annotators)
        .prefetch_related(Prefetch("stances", queryset=stances))
        .order_by("start", "end", "pk")
    )
    return [
        Reading(
            annotator=claim.created_by_id,
            start=claim.start,
            end=claim.end,
            kind=claim.kind,
            attribution=getattr(claim, "attribution", ""),
            stances={s.proposition.slug: s.label for s in claim.stances.all()},
            key=claim.pk,
        )
        for claim in claims
    ]


def _signature(readings: list[Reading]) -> tuple:
    return tuple(
        sorted(
            (r.start, r.end, r.kind, r.attribution, tuple(sorted(r.stances.items())))
            for r in readings
        )
    )


def annotators_of(source: Source) -> list[int]:
    """The ids of the readers assigned to `source`, in assignment order."""
    return list(source.assignments.order_by("pk").values_list("annotator_id", flat=True))


def units_of(source: Source) -> list[UnitView]:
    """The source's live claims by its readers, grouped into units, each marked agreed (every
    reader's readings identical) and settled (decided: one reader's claims, all kept by a
    decision)."""
    annotators = annotators_of(source)
    kept = set(
        Adjudication.kept.through.objects.filter(adjudication__source=source).values_list(
            "claim_id", flat=True
        )
    )
    views = []
    for unit in align(_readings(source, annotators)):
        grouped = unit.by_annotator()
        signatures = {_signature(readings) for readings in grouped.values()}
        agreed = len(grouped) == len(annotators) and len(signatures) == 1
        settled = len(grouped) == 1 and all(r.key in kept for r in unit.readings)
        views.append(UnitView(unit.start, unit.end, grouped, agreed, settled))
    return views


def pending_units(source: Source) -> list[UnitView]:
    """Units still waiting for a decision."""
    return [unit for unit in units_of(source) if not unit.settled]


def check_settled(source: Source) -> None:
    """Refuse (AdjudicationError) while a double-read source has a reader not done or a unit
    undecided. A source with one reader or none passes."""
    if source.assignments.count() < 2:
        return
    if not readers_done(source):
        raise AdjudicationError("Every assigned reader must mark their reading done first.")
    pending = len(pending_units(source))
    if pending:
        raise AdjudicationError(
            f"{pending} unit(s) of this source still need adjudicating before review."
        )


def _snapshot(unit: UnitView) -> list[dict]:
    return [
        {
            "annotator": reading.annotator,
            "claim": reading.key,
            "start": reading.start,
            "end": reading.end,
            "kind": reading.kind,
            "attribution": reading.attribution,
            "stances": dict(reading.stances),
        }
        for readings in unit.readings.values()
        for reading in readings
    ]


def _find(source: Source, start: int, end: int) -> UnitView:
    for unit in units_of(source):
        if (unit.start, unit.end) == (start, end):
            return unit
    raise AdjudicationError(
        "That unit has changed since the page was shown (a claim was edited); look again."
    )


def _record(source, unit, decision, *, keep, annotator, by, note="") -> Adjudication:
    record = Adjudication.objects.create(
        source=source,
        start=unit.start,
        end=unit.end,
        decision=decision,
        accepted_annotator_id=annotator,
        decided_by=by,
        readings=_snapshot(unit),
        note=note,
    )
    record.kept.set(keep)
    drop = [r.key for rs in unit.readings.values() for r in rs if r.key not in set(keep)]
    # One by one, so that each deleted claim and stance leaves its history record.
    for claim in Claim.objects.filter(pk__in=drop):
        delete_claim(claim=claim, version=None, by=by)
    return record


def _require_ready(source: Source, by) -> None:
    if not by.has_perm("claims.adjudicate_source"):
        raise AdjudicationError("Only reviewers adjudicate between readers.")
    if not readers_done(source):
        raise AdjudicationError("Every assigned reader must mark their reading done first.")


@transaction.atomic
def accept(
    *, source: Source, start: int, end: int, annotator: int, by, edited: bool = False
) -> Adjudication:
    """Keep `annotator`'s claims in the unit start–end and delete the other readers' claims."""
    _require_ready(source, by)
    unit = _find(source, start, end)
    if annotator not in unit.readings:
        raise AdjudicationError("That reader marked no claim in this unit.")
    keep = [r.key for r in unit.readings[annotator]]
    decision = Decision.EDITED if edited else Decision.ACCEPTED
    return _record(source, unit, decision, keep=keep, annotator=annotator, by=by)


@transaction.atomic
def no_claim(*, source: Source, start: int, end: int, by) -> Adjudication:
    """Decide that the unit start–end holds no claim: every reader's claims in it go."""
    _require_ready(source, by)
    unit = _find(source, start, end)
    return _record(source, unit, Decision.NO_CLAIM, keep=[], annotator=None, by=by)


@transaction.atomic
def merge_agreed(*, source: Source, by) -> list[Adjudication]:
    """Merge every unit on which all readers agree: the first reader's claims stay."""
    _require_ready(source, by)
    return _merge(source, by)


def _merge(source: Source, by) -> list[Adjudication]:
    order = annotators_of(source)
    records = []
    for unit in units_of(source):
        if unit.agreed and not unit.settled:
            first = next(who for who in order if who in unit.readings)
            keep = [r.key for r in unit.readings[first]]
            records.append(
                _record(source, unit, Decision.MERGED, keep=keep, annotator=first, by=by)
            )
    return records


@dataclass(frozen=True)
class RecordedDecision:
    """A decision made beforehand and kept as data (e.g. the seeds' adjudication file).

    `decision` is "accept", "edit" or "no_claim"; `annotator` is whose claims are kept (accept,
    edit); `changes` (edit only) sets the kept claim's `kind`, `attribution` and/or `stances`
    (proposition slug → label, replacing the reader's stances); `note` says why.
    """

    start: int
    end: int
    decision: str
    annotator: int | None = None
    changes: Mapping = field(default_factory=dict)
    note: str = ""


def _edit(claim: Claim, changes: Mapping, *, by) -> None:
    """Apply an adjudicator's edit to a kept claim; its stances stay its reader's.

    The claim changes through `claims.annotating.update_claim`, in the adjudicator's name. Its
    stances are written here, directly: they must stay the reader's (the readings and their
    agreement are told apart by annotator), so `add_stance`, which makes the acting user the
    annotator, does not fit; and `set_stance` / `remove_stance` would refuse an adjudicator
    who does not hold the reviewer permission, which `apply_recorded` does not ask for. The
    duplicate rule holds by construction (one stance per proposition for the claim's reader),
    and the history names the adjudicator.
    """
    fields = {name: changes[name] for name in ("kind", "attribution") if name in changes}
    if fields:
        try:
            update_claim(claim=claim, version=None, by=by, **fields)
        except ServiceError as error:
            raise AdjudicationError(
                f"The edit does not make a valid claim: {error.field or 'claim'}: {error.message}"
            ) from None
    if "stances" in changes:
        wanted = dict(changes["stances"])
        found = {p.slug: p for p in Proposition.objects.filter(slug__in=wanted)}
        unknown = sorted(set(wanted) - set(found))
        if unknown:
            raise AdjudicationError(f"{unknown[0]!r} is not a proposition.")
        wrong = sorted(label for label in wanted.values() if label not in StanceLabel.values)
        if wrong:
            raise AdjudicationError(f"{wrong[0]!r} is not a stance label.")
        for stance in claim.stances.select_related("proposition"):
            if stance.proposition.slug not in wanted:
                stance._history_user = by
                stance.delete()
        for slug, label in wanted.items():
            stance = Stance.objects.filter(
                claim=claim, proposition=found[slug], annotator_id=claim.created_by_id
            ).first()
            if stance is None:
                stance = Stance(
                    claim=claim,
                    proposition=found[slug],
                    annotator_id=claim.created_by_id,
                    label=label,
                )
            elif stance.label == label:
                continue
            stance.label = label
            stance._history_user = by
            stance.save()


@transaction.atomic
def apply_recorded(
    *, source: Source, decisions: Iterable[RecordedDecision], by
) -> list[Adjudication]:
    """Settle every unit of `source` from decisions kept as data: units all readers agree on
    are merged, each other unit is decided by its decision, and a unit left without one is
    refused (AdjudicationError naming it), so nothing is half-settled.

    For loaders run by an operator (the seed corpus): `by` is recorded as the decider without
    the reviewer permission the screen asks for.
    """
    if not readers_done(source):
        raise AdjudicationError("Every assigned reader must mark their reading done first.")
    records = _merge(source, by)
    for item in decisions:
        unit = _find(source, item.start, item.end)
        if item.decision == "no_claim":
            records.append(
                _record(
                    source, unit, Decision.NO_CLAIM, keep=[], annotator=None, by=by, note=item.note
                )
            )
            continue
        if item.decision not in ("accept", "edit"):
            raise AdjudicationError(f"{item.decision!r} is not accept, edit or no_claim.")
        if item.annotator not in unit.readings:
            raise AdjudicationError(
                f"The chosen reader marked no claim in the unit at {item.start}–{item.end}."
            )
        kept = unit.readings[item.annotator]
        edited = item.decision == "edit"
        if edited and len(kept) != 1:
            raise AdjudicationError(
                f"An edit keeps one claim; the reader has {len(kept)} at {item.start}–{item.end}."
            )
        decision = Decision.EDITED if edited else Decision.ACCEPTED
        record = _record(
            source,
            unit,
            decision,
            keep=[r.key for r in kept],
            annotator=item.annotator,
            by=by,
            note=item.note,
        )
        if edited:
            _edit(Claim.objects.get(pk=kept[0].key), item.changes, by=by)
        records.append(record)
    left = pending_units(source)
    if left:
        raise AdjudicationError(
            f"{len(left)} unit(s) have no decision, the first at {left[0].start}–{left[0].end}."
        )
    return records


def handed_in(source: Source) -> list[Reading]:
    """Every reader's reading of `source` as handed in (done assignments), for agreement."""
    readings = []
    for assignment in Assignment.objects.filter(source=source, status="done").order_by("pk"):
        readings.extend(readings_from(assignment.annotator_id, assignment.reading))
    return readings


def readings_from(annotator: Hashable, data: list[dict]) -> list[Reading]:
    """`Reading`s from an assignment's stored reading."""
    return [
        Reading(
            annotator=annotator,
            start=item["start"],
            end=item["end"],
            kind=item.get("kind", ""),
            attribution=item.get("attribution", ""),
            stances=dict(item.get("stances", {})),
            key=item.get("claim"),
        )
        for item in data
    ]


__all__ = [
    "AdjudicationError",
    "AlignedUnit",
    "RecordedDecision",
    "UnitView",
    "accept",
    "apply_recorded",
    "check_settled",
    "handed_in",
    "merge_agreed",
    "no_claim",
    "pending_units",
    "readers_done",
    "units_of",
]

"""Import annotations in bulk: one service for the command, the admin upload and the API.

Each annotation is matched to a source, placed by its quote and context (claims.importing.placing)
and reported as exact, re-anchored (with where it moved) or refused (with the reason). A dry run
reports without writing. Otherwise everything is written in one transaction, and nothing at all
when an annotation is refused, unless `partial` asks for the placeable ones alone. Importing the
same file twice changes nothing: a claim is matched on its source and span, a stance on its
claim, proposition and annotator.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from claims import annotating, summaries
from claims.anchoring import Anchor
from claims.models import Actor, Claim, Proposition, Source, Stance, StanceLabel
from claims.models.base import PublishedReadOnly
from claims.revisions import start_revision

from . import formats, placing
from .documents import Document, ImportFailure
from .formats import BratMapping, Incoming

REFUSED, SKIPPED = placing.REFUSED, "skipped"
ATTRIBUTIONS = tuple(Claim.Attribution.values)


def attribution_fields(value: str) -> dict[str, str]:
    """The claim fields an attribution value sets ({} when the file gives none, and the claim
    is the source's own). Raises ValueError for a value outside the vocabulary."""
    if not value:
        return {}
    if value not in ATTRIBUTIONS:
        raise ValueError(f"attribution {value!r} is not one of {', '.join(ATTRIBUTIONS)}")
    return {"attribution": value}


@dataclass
class Outcome:
    """What became of one annotation."""

    at: str
    source: str
    outcome: str
    detail: str = ""
    start: int | None = None
    end: int | None = None
    claim: str = ""  # "created" or "existing"
    stances: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "source": self.source,
            "outcome": self.outcome,
            "detail": self.detail,
            "start": self.start,
            "end": self.end,
            "claim": self.claim,
            "stances": dict(self.stances),
        }


@dataclass
class BulkReport:
    """The report of an import: one outcome per annotation, and whether anything was written."""

    outcomes: list[Outcome] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def refused(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.outcome == REFUSED]

    def counts(self) -> dict[str, int]:
        return dict(Counter(o.outcome for o in self.outcomes))

    def tallies(self) -> dict[str, int]:
        tally: Counter = Counter()
        for o in self.outcomes:
            if o.claim:
                tally[f"claims {o.claim}"] += 1
            for key, n in o.stances.items():
                tally[f"stances {key}"] += n
        return dict(tally)

    def lines(self) -> list[str]:
        lines = []
        for o in self.outcomes:
            where = f"{o.start}–{o.end}" if o.start is not None else "—"
            detail = f": {o.detail}" if o.detail else ""
            lines.append(f"{o.at} [{o.source or '?'} {where}] {o.outcome}{detail}")
        counts = ", ".join(f"{n} {k}" for k, n in sorted(self.counts().items())) or "nothing"
        lines.append(f"Annotations: {counts}.")
        if self.written:
            tallies = ", ".join(f"{n} {k}" for k, n in sorted(self.tallies().items()))
            lines.append(f"Written: {tallies or 'nothing new'}.")
        elif self.dry_run:
            lines.append("Dry run: nothing was written.")
        else:
            lines.append(
                "Nothing was written: refused annotations (import with partial to skip them)."
            )
        return lines + self.notes

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "written": self.written,
            "counts": self.counts(),
            "tallies": self.tallies(),
            "notes": self.notes,
            "annotations": [o.as_dict() for o in self.outcomes],
        }


@dataclass
class _Plan:
    outcome: Outcome
    source: Source
    anchor: Anchor
    values: dict[str, Any]
    actors: list[Actor]
    stances: list[tuple[Proposition | tuple[str, str], str, str]]


class _Lookups:
    """Sources, propositions and actors, each read once however many annotations name them."""

    def __init__(self, records: list[Incoming]) -> None:
        keys = {r.source for r in records if r.source}
        by_slug = {s.slug: s for s in Source.objects.filter(slug__in=keys)}
        by_url = {s.url: s for s in Source.objects.filter(url__in=keys - set(by_slug)) if s.url}
        self.sources = {**by_url, **by_slug}
        slugs = {s.proposition for r in records for s in r.stances}
        self.propositions = {p.slug: p for p in Proposition.objects.filter(slug__in=slugs)}
        names = {r.speaker for r in records if r.speaker} | {a for r in records for a in r.actors}
        actors = list(Actor.objects.filter(slug__in=names)) + list(
            Actor.objects.filter(name__in=names)
        )
        self.actors = {a.name: a for a in actors} | {a.slug: a for a in actors}
        self.spans: dict[int, dict[tuple[int, int], Claim]] = {}
        self.copies: dict[int, Source] = {}

    def working_copy(self, source: Source, user, at: str, notes: list[str]) -> Source:
        """The working copy annotations for the published `source` are written to."""
        if source.pk not in self.copies:
            copy = start_revision(source=source, by=user)
            if copy.body != source.body:
                raise ImportFailure(
                    at,
                    f"source {source.slug!r} is published and its working copy {copy.slug!r} "
                    "has a different text: import onto the working copy's slug",
                )
            notes.append(
                f"{source.slug} is published: its annotations were written to its working copy "
                f"{copy.slug}, for a reviewer to publish."
            )
            self.copies[source.pk] = copy
        return self.copies[source.pk]

    def claim_at(self, source: Source, anchor: Anchor) -> Claim | None:
        if source.pk not in self.spans:
            self.spans[source.pk] = {
                (c.start, c.end): c for c in Claim.objects.filter(source=source).order_by("pk")
            }
        return self.spans[source.pk].get((anchor.start, anchor.end))


def _plan(record: Incoming, lookups: _Lookups, outcome: Outcome) -> _Plan | None:
    """Check one annotation and place it; on refusal, say why in `outcome` and return None."""

    def refuse(reason: str) -> None:
        outcome.outcome, outcome.detail = REFUSED, reason

    if record.skipped:  # an unmapped type: whatever else is wrong with it does not matter
        outcome.outcome, outcome.detail = SKIPPED, record.skipped
        return None
    if record.refused:
        return refuse(record.refused)
    source = lookups.sources.get(record.source)
    if source is None:
        return refuse(
            f"no source has the slug or URL {record.source!r}"
            if record.source
            else "the annotation names no source"
        )
    outcome.source = source.slug
    kind = record.kind or Claim.Kind.ANALYSIS
    if kind not in Claim.Kind.values:
        return refuse(f"kind {kind!r} is not one of {', '.join(Claim.Kind.values)}")
    try:
        extra = attribution_fields(record.attribution)
    except ValueError as error:
        return refuse(str(error))
    speaker = lookups.actors.get(record.speaker) if record.speaker else None
    if record.speaker and speaker is None:
        return refuse(f"speaker {record.speaker!r} is no known actor")
    actors = [lookups.actors.get(a) for a in record.actors]
    if None in actors:
        missing = record.actors[actors.index(None)]
        return refuse(f"actor {missing!r} is not known")
    stances = []
    for spec in record.stances:
        if spec.label not in StanceLabel.values:
            return refuse(f"label {spec.label!r} is not one of {', '.join(StanceLabel.values)}")
        proposition = lookups.propositions.get(spec.proposition)
        if proposition is None:
            if not spec.proposition_text or slugify(spec.proposition) != spec.proposition:
                return refuse(f"no proposition {spec.proposition!r}")
            proposition = (spec.proposition, spec.proposition_text)
        stances.append((proposition, spec.label, spec.note))
    placed = placing.place(
        source.body,
        quote=record.quote,
        prefix=record.prefix,
        suffix=record.suffix,
        start=record.start,
        end=record.end,
    )
    outcome.outcome, outcome.detail = placed.outcome, placed.detail
    if placed.anchor is None:
        return None
    outcome.start, outcome.end = placed.anchor.start, placed.anchor.end
    # Shown by a dry run; the write says "created" or "existing" again, after checking afresh.
    outcome.claim = "existing" if lookups.claim_at(source, placed.anchor) else "new"
    values = {"kind": kind, "speaker": speaker, "note": record.note, **extra}
    return _Plan(outcome, source, placed.anchor, values, actors, stances)


def _unchanged(plan: _Plan, lookups: _Lookups, user) -> bool:
    """Whether the annotation is already there, claim and stances alike."""
    claim = lookups.claim_at(plan.source, plan.anchor)
    return claim is not None and all(
        not isinstance(proposition, tuple)
        and Stance.objects.filter(
            claim=claim, proposition=proposition, annotator=user, label=label
        ).exists()
        for proposition, label, _ in plan.stances
    )


def _write(plan: _Plan, lookups: _Lookups, user, created_propositions: dict, notes) -> None:
    source = plan.source
    if source.is_published:
        # A published revision is read-only: what would change it goes to its working copy.
        if _unchanged(plan, lookups, user):
            plan.outcome.claim = "existing"
            plan.outcome.stances["unchanged"] += len(plan.stances)
            return
        source = lookups.working_copy(source, user, plan.outcome.at, notes)
    claim = lookups.claim_at(source, plan.anchor)
    if claim is None:
        anchor = plan.anchor
        claim = annotating.create_claim(
            source=source,
            start=anchor.start,
            end=anchor.end,
            quote=anchor.quote,
            actors=plan.actors,
            by=user,
            **plan.values,
        )
        lookups.spans[source.pk][(anchor.start, anchor.end)] = claim
        plan.outcome.claim = "created"
    else:
        plan.outcome.claim = "existing"
    for proposition, label, note in plan.stances:
        if isinstance(proposition, tuple):
            slug, text = proposition
            if slug not in created_propositions:
                new = Proposition(slug=slug, text=text, created_by=user)
                new._history_user = user
                new.full_clean()
                new.save()
                created_propositions[slug] = new
                lookups.propositions[slug] = new
            proposition = created_propositions[slug]
        stance = Stance.objects.filter(claim=claim, proposition=proposition, annotator=user).first()
        if stance is None:
            annotating.add_stance(
                claim=claim, proposition=proposition, label=label, note=note, by=user
            )
            plan.outcome.stances["created"] += 1
        elif stance.label != label:
            # An import is based on no version read from here: the row is locked, not compared.
            annotating.set_stance(stance=stance, version=None, by=user, label=label)
            plan.outcome.stances["updated"] += 1
        else:
            plan.outcome.stances["unchanged"] += 1


def published_read_only(source: Source) -> str:
    """Why an annotation cannot be written onto a published source, and where it can."""
    copy = Source.objects.filter(revision_of=source).values_list("slug", flat=True).first()
    where = f"its working copy {copy!r}" if copy else "a working copy (start a new revision)"
    return (
        f"source {source.slug!r} is published and its published revision is read-only; "
        f"import onto {where}"
    )


def import_annotations(
    *, records: list[Incoming], user, dry_run: bool = False, partial: bool = False
) -> BulkReport:
    """Place, report and (unless a dry run, or something was refused without `partial`) write
    `records`, all in one transaction; `user` is the annotator of every stance."""
    report = BulkReport(dry_run=dry_run)
    with transaction.atomic():
        lookups = _Lookups(records)
        plans = []
        for record in records:
            outcome = Outcome(
                at=record.at,
                source=record.source,
                outcome=REFUSED,
                start=record.start,
                end=record.end,
            )
            report.outcomes.append(outcome)
            plan = _plan(record, lookups, outcome)
            if plan is not None:
                plans.append(plan)
        if dry_run or (report.refused and not partial):
            return report
        created_propositions: dict[str, Proposition] = {}
        for plan in plans:
            try:
                _write(plan, lookups, user, created_propositions, report.notes)
            except PublishedReadOnly:
                raise ImportFailure(plan.outcome.at, published_read_only(plan.source)) from None
        report.written = True
        summaries.refresh_after_commit()
    return report


def brat_source(name: str) -> str:
    """The source a brat file annotates, by file name: the source imported from its `.txt`,
    else the one whose slug is the file's stem."""
    stem = PurePath(name).stem
    source = Source.objects.filter(provenance__file=f"{stem}.txt").only("slug").first()
    return source.slug if source else slugify(stem)


def read_documents(
    documents: list[Document], *, mapping: BratMapping | None = None, source: str = ""
) -> list[Incoming]:
    """Every annotation in `documents`: JSON-LD, CSV, JSONL, and `.ann` files (each with the
    `.txt` of the same name when given, for context). `source` names the source of brat files
    (only with one `.ann`); otherwise each is matched by its file name."""
    texts = {
        PurePath(d.name).stem: formats.decode(d.raw, d.name)
        for d in documents
        if d.name.lower().endswith(".txt")
    }
    anns = [d for d in documents if formats.format_of(d.name) == formats.BRAT]
    if source and len(anns) > 1:
        raise ImportFailure("source", "a source can be named for one .ann file only")
    records: list[Incoming] = []
    for document in documents:
        fmt = formats.format_of(document.name)
        if document.name.lower().endswith(".txt"):
            continue
        if fmt is None:
            raise ImportFailure(
                document.name, "unknown format: expected .jsonld, .json, .ann, .csv or .jsonl"
            )
        if fmt == formats.BRAT:
            records += formats.read_brat(
                formats.decode(document.raw, document.name),
                texts.get(PurePath(document.name).stem),
                source=source or brat_source(document.name),
                mapping=mapping or BratMapping(),
                name=document.name,
            )
        else:
            for record in formats.read(document.name, document.raw, fmt=fmt):
                record.source = source or record.source
                record.at = f"{document.name} {record.at}"
                records.append(record)
    if not records:
        raise ImportFailure("import", "no annotations found in the files given")
    return records

"""Load curated annotations: topics, actors, propositions, and claims given by exact quote.

The file names each claim by its source and quote; the loader finds the offsets itself and stops
(rolling everything back) if a quote is missing from the text or occurs more than once.

Claims and stances are written through claims.annotating, as the file's annotator: the same
anchoring, duplicate rule and history as an edit made on screen. A refusal from there stops the
load with the place in the file it concerns (claims[3].stances[1].proposition: …).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from claims import annotating
from claims.anchoring import Anchor, AnchorError, locate_quote
from claims.annotating import ServiceError
from claims.models import Actor, Claim, Proposition, Source, Stance, StanceLabel, Topic
from claims.models.base import PublishedReadOnly
from claims.summaries import rebuild_proposition_summaries

from .cleaning import normalise
from .sources import ImportFailure, ImportReport, upsert

TOP_KEYS = {"annotator", "topics", "actors", "propositions", "claims"}
CLAIM_KEYS = {"source", "quote", "kind", "attribution", "speaker", "actors", "note", "stances"}
# Files written before attribution existed said "reported_speech" as a kind: it reads as a
# factual claim reporting someone else's view, as migration 0011 converted stored claims.
RETIRED_KIND = "reported_speech"
STANCE_KEYS = {"proposition", "label", "note"}
MAX_ANNOTATIONS_BYTES = 20 * 1024 * 1024


def _refuse_nul(reader: _Reader, value: Any) -> None:
    """No string anywhere in the file may hold a NUL character (PostgreSQL cannot store it)."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        at, item = stack.pop()
        if isinstance(item, str) and "\x00" in item:
            raise reader.fail(at or "top level", "contains a NUL character")
        if isinstance(item, dict):
            for key, child in item.items():
                path = f"{at}.{key}" if at else str(key)
                stack.extend([(path, key), (path, child)])
        elif isinstance(item, list):
            stack.extend((f"{at}[{i}]", child) for i, child in enumerate(item))


class _Reader:
    """Walks the JSON with a path for error messages: claims[12].stances[0].label: …"""

    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, where: str, problem: str) -> ImportFailure:
        return ImportFailure(f"{self.name}: {where}", problem)

    def table(self, where: str, value: Any, allowed: set[str], required: set[str]) -> dict:
        if not isinstance(value, dict):
            raise self.fail(where, "must be an object")
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise self.fail(where, f"unknown key {unknown[0]!r}")
        missing = sorted(required - set(value))
        if missing:
            raise self.fail(where, f"missing key {missing[0]!r}")
        return value

    def items(self, where: str, value: Any) -> list:
        if not isinstance(value, list):
            raise self.fail(where, "must be a list")
        return value

    def text(self, where: str, value: Any, *, blank: bool = True) -> str:
        if not isinstance(value, str) or (not blank and not value.strip()):
            raise self.fail(
                where, "must be a non-empty string" if not blank else "must be a string"
            )
        return value

    def choice(self, where: str, value: Any, choices) -> str:
        if value not in choices.values:
            raise self.fail(where, f"{value!r} is not one of {', '.join(choices.values)}")
        return value

    def ref(self, where: str, value: Any, known: dict):
        if value not in known:
            raise self.fail(where, f"{value!r} is not defined in this file")
        return known[value]


def _annotator(reader: _Reader, data: dict, report: ImportReport):
    spec = reader.table("annotator", data.get("annotator"), {"username", "name"}, {"username"})
    username = reader.text("annotator.username", spec["username"], blank=False)
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        # The curator is a byline for seed annotations, not an account anyone logs into.
        user = user_model(username=username, first_name=spec.get("name", ""), is_active=False)
        user.set_unusable_password()
        user.save()
        report.tally("Annotators", "created")
    return user


def _vocabulary(reader: _Reader, data: dict, report: ImportReport):
    topics: dict[str, Topic] = {}
    parents: dict[str, str | None] = {}
    for i, spec in enumerate(reader.items("topics", data.get("topics", []))):
        at = f"topics[{i}]"
        spec = reader.table(at, spec, {"slug", "name", "description", "parent"}, {"slug", "name"})
        slug = reader.text(f"{at}.slug", spec["slug"], blank=False)
        values = {
            "name": reader.text(f"{at}.name", spec["name"], blank=False),
            "description": reader.text(f"{at}.description", spec.get("description", "")),
        }
        topics[slug] = upsert(Topic, {"slug": slug}, values, report, "Topics")
        parents[slug] = spec.get("parent")
    for slug, parent in parents.items():
        parent_topic = reader.ref(f"topics[{slug}].parent", parent, topics) if parent else None
        if topics[slug].parent_id != (parent_topic.pk if parent_topic else None):
            topics[slug].parent = parent_topic
            topics[slug].full_clean()
            topics[slug].save()

    actors: dict[str, Actor] = {}
    for i, spec in enumerate(reader.items("actors", data.get("actors", []))):
        at = f"actors[{i}]"
        spec = reader.table(
            at, spec, {"slug", "name", "kind", "wikidata_id"}, {"slug", "name", "kind"}
        )
        slug = reader.text(f"{at}.slug", spec["slug"], blank=False)
        values = {
            "name": reader.text(f"{at}.name", spec["name"], blank=False),
            "kind": reader.choice(f"{at}.kind", spec["kind"], Actor.Kind),
            "wikidata_id": reader.text(f"{at}.wikidata_id", spec.get("wikidata_id", "")),
        }
        actors[slug] = upsert(Actor, {"slug": slug}, values, report, "Actors")

    propositions: dict[str, Proposition] = {}
    for i, spec in enumerate(reader.items("propositions", data.get("propositions", []))):
        at = f"propositions[{i}]"
        spec = reader.table(at, spec, {"slug", "text", "topics", "notes"}, {"slug", "text"})
        slug = reader.text(f"{at}.slug", spec["slug"], blank=False)
        values = {
            "text": reader.text(f"{at}.text", spec["text"], blank=False),
            "notes": reader.text(f"{at}.notes", spec.get("notes", "")),
        }
        proposition = upsert(Proposition, {"slug": slug}, values, report, "Propositions")
        wanted = {
            reader.ref(f"{at}.topics", topic, topics).pk
            for topic in reader.items(f"{at}.topics", spec.get("topics", []))
        }
        if set(proposition.topics.values_list("pk", flat=True)) != wanted:
            proposition.topics.set(wanted)
        propositions[slug] = proposition
    return topics, actors, propositions


def _kind_and_attribution(reader: _Reader, at: str, spec: dict) -> tuple[str, str]:
    """A claim's kind and attribution; a missing attribution is the source's own view."""
    given = spec.get("attribution")
    if spec["kind"] == RETIRED_KIND:
        if given not in (None, Claim.Attribution.REPORTED):
            raise reader.fail(
                f"{at}.kind", f"{RETIRED_KIND!r} is a reported view, not {given!r}: say 'factual'"
            )
        return Claim.Kind.FACTUAL, Claim.Attribution.REPORTED
    kind = reader.choice(f"{at}.kind", spec["kind"], Claim.Kind)
    if given is None:
        return kind, Claim.Attribution.OWN
    return kind, reader.choice(f"{at}.attribution", given, Claim.Attribution)


def _claims(reader, data, report, *, actors, propositions, annotator, leave=()) -> None:
    sources = {source.slug: source for source in Source.objects.all()}
    # Where the file gave each stance (claim, proposition): a second one is a duplicate.
    given: dict[tuple[int, int], str] = {}
    for i, spec in enumerate(reader.items("claims", data.get("claims", []))):
        at = f"claims[{i}]"
        spec = reader.table(at, spec, CLAIM_KEYS, {"source", "quote", "kind", "stances"})
        source = reader.ref(f"{at}.source", spec["source"], sources)
        if source.slug in leave:
            report.tally("Claims", "unchanged")  # settled by adjudication
            continue
        # The body went through the cleaner's normalisation; the quote must too.
        quote = normalise(reader.text(f"{at}.quote", spec["quote"], blank=False)).strip()
        try:
            anchor = locate_quote(source.body, quote)
        except AnchorError as error:
            raise reader.fail(f"{at}.quote", f"in source {source.slug!r}: {error}") from None
        speaker = spec.get("speaker")
        kind, attribution = _kind_and_attribution(reader, at, spec)
        values = {
            "kind": kind,
            "attribution": attribution,
            "speaker": reader.ref(f"{at}.speaker", speaker, actors) if speaker else None,
            "note": reader.text(f"{at}.note", spec.get("note", "")),
        }
        wanted_actors = [
            reader.ref(f"{at}.actors", slug, actors)
            for slug in reader.items(f"{at}.actors", spec.get("actors", []))
        ]
        try:
            claim = _write_claim(
                reader, at, source, anchor, values, wanted_actors, report, annotator
            )
            _write_stances(reader, at, spec, claim, report, propositions, annotator, given)
        except PublishedReadOnly:
            working = Source.objects.filter(revision_of=source).values_list("slug", flat=True)
            where = (
                f"its working copy {working[0]!r}"
                if working
                else "a working copy (start a new revision first)"
            )
            raise reader.fail(
                f"{at}.source",
                f"source {source.slug!r} is published and its published revision is read-only; "
                f"import these annotations onto {where}",
            ) from None


# A refusal's field, as the file names it: the file gives a claim's span by its quote.
SPAN_FIELDS = {"start", "end", "prefix", "suffix"}


def _refusal(reader: _Reader, at: str, error: ServiceError, keys: set[str]) -> ImportFailure:
    """The failure naming the place in the file a service's refusal concerns."""
    field = "quote" if error.field in SPAN_FIELDS else error.field
    return reader.fail(f"{at}.{field}" if field in keys else at, error.message)


def _write_claim(reader, at, source, anchor: Anchor, values, actors, report, annotator) -> Claim:
    """Create the claim of the file at `anchor`, or bring the one there up to date; a claim
    as the file has it already is left alone (no write, no history)."""
    claim = Claim.objects.filter(source=source, quote=anchor.quote).first()
    try:
        if claim is None:
            claim = annotating.create_claim(
                source=source,
                start=anchor.start,
                end=anchor.end,
                quote=anchor.quote,
                actors=actors,
                by=annotator,
                **values,
            )
            report.tally("Claims", "created")
            return claim
        changes = {key: value for key, value in values.items() if getattr(claim, key) != value}
        stored = (claim.start, claim.end, claim.prefix, claim.suffix)
        if stored != (anchor.start, anchor.end, anchor.prefix, anchor.suffix):
            changes.update(start=anchor.start, end=anchor.end, quote=anchor.quote)
        if set(claim.actors.values_list("pk", flat=True)) != {actor.pk for actor in actors}:
            changes["actors"] = actors
        if changes:
            # An import is based on no version read from here: the row is locked, not compared.
            claim = annotating.update_claim(claim=claim, version=None, by=annotator, **changes)
        report.tally("Claims", "updated" if changes else "unchanged")
        return claim
    except ServiceError as error:
        raise _refusal(reader, at, error, CLAIM_KEYS) from None


def _write_stances(reader, at, spec, claim, report, propositions, annotator, given) -> None:
    """The file's stances on `claim`, each its annotator's: added, changed or left alone."""
    for j, stance_spec in enumerate(reader.items(f"{at}.stances", spec["stances"])):
        where = f"{at}.stances[{j}]"
        stance_spec = reader.table(where, stance_spec, STANCE_KEYS, {"proposition", "label"})
        proposition = reader.ref(f"{where}.proposition", stance_spec["proposition"], propositions)
        label = reader.choice(f"{where}.label", stance_spec["label"], StanceLabel)
        note = reader.text(f"{where}.note", stance_spec.get("note", ""))
        stance = Stance.objects.filter(
            claim=claim, proposition=proposition, annotator=annotator
        ).first()
        first = given.setdefault((claim.pk, proposition.pk), where)
        try:
            if stance is None or first != where:
                # A second stance of the file on the same claim and proposition is refused
                # here, by the duplicate rule.
                annotating.add_stance(
                    claim=claim, proposition=proposition, label=label, note=note, by=annotator
                )
                report.tally("Stances", "created")
            elif (stance.label, stance.note) != (label, note):
                annotating.set_stance(
                    stance=stance, version=None, by=annotator, label=label, note=note
                )
                report.tally("Stances", "updated")
            else:
                report.tally("Stances", "unchanged")
        except ServiceError as error:
            failure = _refusal(reader, where, error, STANCE_KEYS)
            if first != where:
                raise ImportFailure(failure.where, f"{failure.problem} (also at {first})") from None
            raise failure from None


def load_annotations(
    path: Path, *, report: ImportReport | None = None, leave: Collection[str] = frozenset()
) -> ImportReport:
    """Load an annotations file in one transaction; any error leaves the database untouched.
    Claims on the sources named in `leave` (settled by adjudication) are not applied."""
    report = report or ImportReport()
    reader = _Reader(path.name)
    try:
        if path.stat().st_size > MAX_ANNOTATIONS_BYTES:
            raise ImportFailure(
                path.name, f"larger than {MAX_ANNOTATIONS_BYTES // 1024 // 1024} MiB"
            )
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ImportFailure(str(path), f"cannot be read ({error.strerror})") from None
    except UnicodeDecodeError:
        raise ImportFailure(path.name, "not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise ImportFailure(
            path.name, f"not valid JSON (line {error.lineno}: {error.msg})"
        ) from None
    except (RecursionError, ValueError) as error:
        # Nesting deeper than any annotations file needs, or a number too long to read.
        problem = "nested too deeply" if isinstance(error, RecursionError) else str(error)
        raise ImportFailure(path.name, f"not a usable JSON document ({problem})") from None
    _refuse_nul(reader, data)
    reader.table("top level", data, TOP_KEYS, {"annotator", "claims"})
    with transaction.atomic():
        annotator = _annotator(reader, data, report)
        _, actors, propositions = _vocabulary(reader, data, report)
        _claims(
            reader,
            data,
            report,
            actors=actors,
            propositions=propositions,
            annotator=annotator,
            leave=leave,
        )
        rebuild_proposition_summaries()
    return report

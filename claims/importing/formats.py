"""Read annotations in standard formats into one plain shape, `Incoming`. No database.

- W3C Web Annotation JSON-LD: one annotation, a list, an `AnnotationPage` or an
  `AnnotationCollection` with its first page inline (ours and other tools' exports, Hypothesis's
  API rows too). A target's selectors may be one object, a list, or refinement chains
  (`refinedBy`, nested to any depth, as in a `CssSelector` refined by text selectors): the
  TextQuoteSelector and TextPositionSelector are found wherever they sit.
- brat standoff: a `.ann` file (text-bound `T` lines, `A` attributes, `#` notes) with the `.txt`
  it annotates, its entity types and attributes mapped by a `BratMapping`.
- Our own CSV (the columns of the claims export, one row per stance) and JSONL (one object per
  line with the same keys, or per claim with a `stances` list).
"""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .documents import ImportFailure

WEB_ANNOTATION, BRAT, CSV, JSONL = "jsonld", "brat", "csv", "jsonl"
FORMATS = (WEB_ANNOTATION, BRAT, CSV, JSONL)
MAX_ANNOTATION_BYTES = 20 * 1024 * 1024
_PROPOSITION_PATH = re.compile(r"/propositions/([-a-zA-Z0-9_]+)/?$")
_SOURCE_PATH = re.compile(r"/sources/([-a-zA-Z0-9_]+)(?:/|$)")
# The CSV export neutralises cells that a spreadsheet would run as a formula with a leading "'".
_NEUTRALISED = ("'=", "'+", "'-", "'@", "'\t", "'\r")


@dataclass(frozen=True)
class StanceSpec:
    """A stance an annotation carries: a label on a proposition (by slug, with text if known)."""

    proposition: str
    label: str
    proposition_text: str = ""
    note: str = ""


@dataclass
class Incoming:
    """One annotation as read from a file, before it is matched to a source and anchored."""

    at: str
    source: str = ""  # our slug, our reading-view URL, or the source's own URL
    quote: str | None = None
    prefix: str = ""
    suffix: str = ""
    start: int | None = None
    end: int | None = None
    kind: str = ""
    attribution: str = ""
    speaker: str = ""
    actors: tuple[str, ...] = ()
    note: str = ""
    stances: list[StanceSpec] = field(default_factory=list)
    refused: str = ""  # a reason found while reading: the annotation cannot be imported
    skipped: str = ""  # a reason to leave it out that is not an error (an unmapped brat type)


def source_key(value: str) -> str:
    """Our slug from a reading-view URL (any host: exports travel), else the value as given."""
    match = _SOURCE_PATH.search(urlsplit(value).path) if "://" in value else None
    return match.group(1) if match else value.strip()


def decode(raw: bytes, name: str) -> str:
    if len(raw) > MAX_ANNOTATION_BYTES:
        raise ImportFailure(name, f"larger than {MAX_ANNOTATION_BYTES // 1024 // 1024} MiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ImportFailure(name, f"not UTF-8 text (byte {error.start})") from None
    if "\x00" in text:
        raise ImportFailure(name, "contains a NUL character: not a text file")
    return text.removeprefix("\ufeff")


def format_of(name: str) -> str | None:
    """The format a file name announces, or None."""
    lowered = name.lower()
    for suffixes, fmt in (
        ((".jsonld", ".json"), WEB_ANNOTATION),
        ((".ann",), BRAT),
        ((".csv",), CSV),
        ((".jsonl", ".ndjson"), JSONL),
    ):
        if lowered.endswith(suffixes):
            return fmt
    return None


# --- W3C Web Annotation ---------------------------------------------------------------------


def _types(value: dict) -> set[str]:
    kind = value.get("type", value.get("@type", ""))
    return set(kind) if isinstance(kind, list) else {kind}


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _selectors(value: Any) -> list[dict]:
    """Every selector in a selector value: lists flattened, `refinedBy` chains followed."""
    found: list[dict] = []
    stack = list(reversed(_as_list(value)))
    while stack:
        selector = stack.pop()
        if not isinstance(selector, dict):
            continue
        found.append(selector)
        stack.extend(reversed(_as_list(selector.get("refinedBy"))))
    return found


def _read_target(target: Any, item: Incoming) -> None:
    candidates = [t for t in _as_list(target) if isinstance(t, dict) and "selector" in t]
    if not candidates:
        item.refused = "the target has no selector (a whole-document annotation is no claim)"
        if isinstance(target, str):
            item.source = source_key(target)
        return
    chosen = candidates[0]
    source = chosen.get("source", "")
    if isinstance(source, dict):
        source = source.get("id", source.get("@id", ""))
    item.source = source_key(str(source))
    for selector in _selectors(chosen["selector"]):
        kinds = _types(selector)
        if "TextQuoteSelector" in kinds and item.quote is None:
            exact = selector.get("exact")
            if isinstance(exact, str):
                item.quote = exact
                item.prefix = str(selector.get("prefix") or "")
                item.suffix = str(selector.get("suffix") or "")
        elif "TextPositionSelector" in kinds and item.start is None:
            start, end = selector.get("start"), selector.get("end")
            if all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
                item.start, item.end = start, end


def _read_bodies(bodies: Any, item: Incoming) -> None:
    """Stance labels are `classifying` TextualBodies, each paired with the `linking` resource
    (a proposition's page) next to it; other textual bodies are notes."""
    label, proposition, notes = "", "", []
    for body in _as_list(bodies):
        if isinstance(body, str):
            continue
        purpose = body.get("purpose", "")
        kinds = _types(body)
        if "TextualBody" in kinds and purpose == "classifying":
            label = str(body.get("value", ""))
        elif purpose == "linking" or "SpecificResource" in kinds:
            source = str(body.get("source", body.get("id", "")))
            match = _PROPOSITION_PATH.search(urlsplit(source).path)
            proposition = match.group(1) if match else ""
        elif purpose == "tagging":
            # Our export tags whose view a claim is as "attribution:<value>"; other tags
            # (a Hypothesis user's own) say nothing this site keeps.
            value = body.get("value")
            if isinstance(value, str) and value.startswith("attribution:"):
                item.attribution = value.removeprefix("attribution:")
            continue
        elif "TextualBody" in kinds and isinstance(body.get("value"), str):
            notes.append(body["value"])
        if label and proposition:
            item.stances.append(StanceSpec(proposition=proposition, label=label))
            label, proposition = "", ""
    if label or proposition:
        item.refused = "a stance label without its proposition (or the reverse) in the body"
    item.note = "\n\n".join(notes)


def _annotation(value: Any, at: str) -> Incoming:
    item = Incoming(at=at)
    if not isinstance(value, dict):
        item.refused = "not an annotation object"
        return item
    _read_target(value.get("target"), item)
    _read_bodies(value.get("body"), item)
    if "text" in value and not value.get("body") and isinstance(value["text"], str):
        item.note = value["text"]  # Hypothesis API rows keep the note in "text"
    return item


def read_web_annotations(text: str, name: str) -> list[Incoming]:
    """Annotations from a JSON-LD document of any of the standard shapes."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFailure(name, f"not valid JSON (line {error.lineno}: {error.msg})") from None
    except (RecursionError, ValueError):
        raise ImportFailure(name, "not a usable JSON document (nested too deeply)") from None
    if isinstance(data, list):
        return [_annotation(value, f"[{i}]") for i, value in enumerate(data)]
    if not isinstance(data, dict):
        raise ImportFailure(name, "expected an annotation, a page, a collection or a list")
    kinds = _types(data)
    if "AnnotationCollection" in kinds:
        first = data.get("first")
        if not isinstance(first, dict):
            raise ImportFailure(
                name, "the collection's first page is not inline (pages are never fetched)"
            )
        items = first.get("items", [])
        if not isinstance(items, list):
            raise ImportFailure(name, "first.items must be a list")
        return [_annotation(value, f"first.items[{i}]") for i, value in enumerate(items)]
    if "AnnotationPage" in kinds:
        items = data.get("items", [])
        if not isinstance(items, list):
            raise ImportFailure(name, "items must be a list")
        return [_annotation(value, f"items[{i}]") for i, value in enumerate(items)]
    if "rows" in data and isinstance(data["rows"], list):  # a Hypothesis search result
        return [_annotation(value, f"rows[{i}]") for i, value in enumerate(data["rows"])]
    if "Annotation" in kinds:
        return [_annotation(data, "annotation")]
    raise ImportFailure(name, "expected an Annotation, AnnotationPage or AnnotationCollection")


# --- our CSV and JSONL ----------------------------------------------------------------------


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text[1:] if text.startswith(_NEUTRALISED) else text


def _offset(value: Any, item: Incoming, column: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        return int(value)
    item.refused = f"{column} must be a whole number (got {str(value)[:20]!r})"
    return None


def _claim_key(row: dict) -> tuple:
    claim_id = _cell(row.get("claim_id"))
    if claim_id:
        return ("id", claim_id)
    return ("span", _cell(row.get("source")), _cell(row.get("start")), _cell(row.get("end")))


def _rows_to_claims(rows: list[tuple[str, dict]]) -> list[Incoming]:
    """Rows of one claim (one per stance) become one annotation with all its stances."""
    claims: dict[tuple, Incoming] = {}
    for at, row in rows:
        key = _claim_key(row)
        item = claims.get(key)
        if item is None:
            item = Incoming(at=at, source=source_key(_cell(row.get("source"))))
            quote = row.get("quote")
            item.quote = _cell(quote) if quote not in (None, "") else None
            item.start = _offset(row.get("start"), item, "start")
            item.end = _offset(row.get("end"), item, "end")
            item.prefix, item.suffix = _cell(row.get("prefix")), _cell(row.get("suffix"))
            item.kind, item.speaker = _cell(row.get("kind")), _cell(row.get("speaker"))
            item.attribution = _cell(row.get("attribution"))
            item.note = _cell(row.get("note"))
            actors = row.get("actors") or ()
            if isinstance(actors, str):
                actors = [a for a in actors.split(";") if a.strip()]
            item.actors = tuple(_cell(a).strip() for a in actors)
            claims[key] = item
        nested = row.get("stances")
        specs = nested if isinstance(nested, list) else [row]
        for spec in specs:
            if not isinstance(spec, dict):
                item.refused = "stances must be objects"
                continue
            proposition, label = _cell(spec.get("proposition")), _cell(spec.get("label"))
            if proposition or label:
                item.stances.append(
                    StanceSpec(
                        proposition=proposition,
                        label=label,
                        proposition_text=_cell(spec.get("proposition_text")),
                        # A flat row's "note" is the claim's; a nested stance's is its own.
                        note=_cell(
                            spec.get("note") if nested is not None else spec.get("stance_note")
                        ),
                    )
                )
    return list(claims.values())


def read_csv(text: str, name: str) -> list[Incoming]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = {"source", "quote"} - set(reader.fieldnames or ())
    if missing:
        raise ImportFailure(name, f"missing column {sorted(missing)[0]!r}")
    try:
        rows = [(f"row {n}", row) for n, row in enumerate(reader, start=2)]
    except csv.Error as error:
        raise ImportFailure(name, f"not readable as CSV ({error})") from None
    return _rows_to_claims(rows)


def read_jsonl(text: str, name: str) -> list[Incoming]:
    rows = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (json.JSONDecodeError, RecursionError, ValueError):
            raise ImportFailure(name, f"line {n} is not a JSON object") from None
        if not isinstance(row, dict):
            raise ImportFailure(name, f"line {n} is not a JSON object")
        rows.append((f"line {n}", row))
    return _rows_to_claims(rows)


# --- brat standoff --------------------------------------------------------------------------


@dataclass(frozen=True)
class BratMapping:
    """How brat entity types and attributes become claims. Written as TOML:

    kinds = { MajorClaim = "opinion", Claim = "analysis", Premise = "factual" }
    [stance]
    attribute = "Stance"                       # the attribute that carries a stance
    proposition = "essay-thesis"               # the proposition it bears on (a slug)
    labels = { For = "supports", Against = "contradicts" }
    [attribution]
    attribute = "Attribution"
    values = { Own = "own", Reported = "reported" }

    Entity types missing from `kinds` are skipped (and reported); with no `kinds` at all every
    type becomes a claim of kind "analysis".
    """

    kinds: dict[str, str] = field(default_factory=dict)
    stance_attribute: str = "Stance"
    proposition: str = ""
    labels: dict[str, str] = field(
        default_factory=lambda: {"For": "supports", "Against": "contradicts"}
    )
    attribution_attribute: str = "Attribution"
    attributions: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str, name: str = "mapping") -> BratMapping:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise ImportFailure(name, f"not valid TOML ({error})") from None
        unknown = sorted(set(data) - {"kinds", "stance", "attribution"})
        if unknown:
            raise ImportFailure(name, f"unknown key {unknown[0]!r}")
        stance, attribution = data.get("stance", {}), data.get("attribution", {})
        for where, table, allowed in (
            ("stance", stance, {"attribute", "proposition", "labels"}),
            ("attribution", attribution, {"attribute", "values"}),
        ):
            if not isinstance(table, dict):
                raise ImportFailure(name, f"{where} must be a table")
            extra = sorted(set(table) - allowed)
            if extra:
                raise ImportFailure(name, f"unknown key {where}.{extra[0]!r}")
        default = cls()
        mapping = cls(
            kinds=data.get("kinds", {}),
            stance_attribute=stance.get("attribute", default.stance_attribute),
            proposition=stance.get("proposition", ""),
            labels=stance.get("labels", default.labels),
            attribution_attribute=attribution.get("attribute", default.attribution_attribute),
            attributions=attribution.get("values", {}),
        )
        for key in ("kinds", "labels", "attributions"):
            table = getattr(mapping, key)
            if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
                raise ImportFailure(name, f"{key} must map names to strings")
        return mapping


_T_LINE = re.compile(r"^(T\d+)\t(\S+) ([0-9; ]+)\t(.*)$")
_A_LINE = re.compile(r"^(A\d+)\t(\S+) (T\d+)(?: (\S+))?\s*$")
_NOTE_LINE = re.compile(r"^#\d+\t\S+ (T\d+)\t(.*)$")


def read_brat(
    ann: str, text: str | None, *, source: str, mapping: BratMapping, name: str
) -> list[Incoming]:
    """Annotations from a `.ann` file; `text` is its `.txt`, which gives each quote's context."""
    items: dict[str, Incoming] = {}
    for n, line in enumerate(ann.splitlines(), start=1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        if match := _T_LINE.match(line):
            tid, kind_name, offsets, quote = match.groups()
            item = Incoming(at=f"{name} line {n} ({tid})", source=source, quote=quote)
            items[tid] = item
            spans = [piece.split() for piece in offsets.split(";")]
            if len(spans) > 1:
                item.refused = f"discontinuous span ({offsets}): a claim is one stretch of text"
                continue
            if len(spans[0]) != 2:
                item.refused = f"offsets {offsets!r} are not 'start end'"
                continue
            item.start, item.end = int(spans[0][0]), int(spans[0][1])
            if mapping.kinds and kind_name not in mapping.kinds:
                item.skipped = f"entity type {kind_name!r} is not mapped to a claim kind"
            item.kind = mapping.kinds.get(kind_name, "analysis")
            if text is not None and text[item.start : item.end] == quote:
                item.prefix = text[max(0, item.start - 32) : item.start]
                item.suffix = text[item.end : item.end + 32]
        elif match := _A_LINE.match(line):
            _, attribute, tid, value = match.groups()
            item = items.get(tid)
            if item is None:
                raise ImportFailure(name, f"line {n}: attribute of unknown annotation {tid}")
            if item.refused:
                continue  # the first reason stands (a discontinuous span stays refused as such)
            if attribute == mapping.stance_attribute:
                label = mapping.labels.get(value or "")
                if label is None:
                    item.refused = f"stance value {value!r} is not in the mapping"
                elif not mapping.proposition:
                    item.refused = "a stance is given but the mapping names no proposition"
                else:
                    item.stances.append(StanceSpec(proposition=mapping.proposition, label=label))
            elif attribute == mapping.attribution_attribute:
                item.attribution = mapping.attributions.get(value or "", value or "")
        elif match := _NOTE_LINE.match(line):
            tid, note = match.groups()
            if tid in items:
                items[tid].note = note
        elif line[:1] in {"R", "E", "N", "M", "*", "#", "A"}:
            continue  # relations, events, normalisations: nothing a claim holds
        else:
            raise ImportFailure(name, f"line {n} is not brat standoff: {line[:60]!r}")
    return list(items.values())


def read(name: str, raw: bytes, *, fmt: str | None = None) -> list[Incoming]:
    """Read a JSON-LD, CSV or JSONL file (brat needs its text and mapping: `read_brat`)."""
    fmt = fmt or format_of(name)
    text = decode(raw, name)
    if fmt == WEB_ANNOTATION:
        return read_web_annotations(text, name)
    if fmt == CSV:
        return read_csv(text, name)
    if fmt == JSONL:
        return read_jsonl(text, name)
    raise ImportFailure(name, f"unknown format; expected one of {', '.join(FORMATS)}")

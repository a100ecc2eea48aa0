"""Turn stances into positions and compare them: exact arithmetic, no database.

A stance labels one claim of a source as supporting, contradicting, being mixed on or neutral
towards a proposition. Callers flatten their stances into ``StanceRow`` values; this module
builds each source's **position** from them, combines sources into a group's position (an
outlet's, an author's), grades the agreement between two sets of positions (each proposition
weighed by the quotes behind it), measures how split the sources are on a proposition and how
well two annotators agree.

**Evidence, not a verdict.** A position keeps what it rests on: how many quotes carry each
label, a *lean* and the number of quotes. Each quote counts once (when several annotators
labelled it, their labels are combined first with ``combine``) and sits at +1 (supports), 0
(mixed) or -1 (contradicts); neutral quotes take no side. The lean is the mean side of the
sided quotes, an exact ``Fraction`` in [-1, 1]: with s supporting, c contradicting and m mixed
quotes, ``lean = (s - c) / (s + c + m)``.

**The scale.** The lean is graded into five steps, plus neutral when no quote takes a side:

========================  ====================  =====================================
label                     lean                  e.g.
========================  ====================  =====================================
``supports``              lean = 1              every sided quote supports: 3 supports
``leans_supports``        1/4 <= lean < 1       6 supports + 1 mixed (6/7); 4 supports +
                                                1 contradicts (3/5); 1 + 1 mixed (1/2)
``mixed``                 -1/4 < lean < 1/4     1 supports + 1 contradicts; 3 against 2
``leans_contradicts``     -1 < lean <= -1/4     the mirror images
``contradicts``           lean = -1
``neutral``               no sided quote
========================  ====================  =====================================

Why these steps: the two ends say something a reader can check at a glance against the counts
beside them, that every quote of the source's own taking a side takes that side. One hedge or
contrary quote among them makes the position *lean*: still the argument the source makes (six
supporting quotes and one mixed lean supports, they are not "mixed"), with the qualification
shown. Below 1/4 the two sides nearly cancel (one quote either way, or three against two),
which is what "mixed" should say.

**Whose view.** Only the source's own claims make its position (``voice="own"``). Claims that
report someone else's view, present a counterpoint to rebut or concede, or give background about
an earlier period are counted beside it (``Position.aside``), never mixed in; ``voice="all"``
takes every claim, to show the difference.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations

SUPPORTS = "supports"
CONTRADICTS = "contradicts"
MIXED = "mixed"
NEUTRAL = "neutral"
# Stance labels: what an annotator says about one claim.
LABELS = (SUPPORTS, CONTRADICTS, MIXED, NEUTRAL)

LEANS_SUPPORTS = "leans_supports"
LEANS_CONTRADICTS = "leans_contradicts"
# Position labels: what a source (or a group) holds, from supporting to contradicting.
SCALE = (SUPPORTS, LEANS_SUPPORTS, MIXED, LEANS_CONTRADICTS, CONTRADICTS)
POSITION_LABELS = (*SCALE, NEUTRAL)

OWN = "own"
REPORTED = "reported"
COUNTERPOINT = "counterpoint"
BACKGROUND = "background"
ATTRIBUTIONS = (OWN, REPORTED, COUNTERPOINT, BACKGROUND)
VOICES = ("own", "all")

# Each position label's step on the scale, in whole numbers for exact sums.
STEPS = {SUPPORTS: 2, LEANS_SUPPORTS: 1, MIXED: 0, LEANS_CONTRADICTS: -1, CONTRADICTS: -2}
STRONG = Fraction(1)
LEANING = Fraction(1, 4)


def _check_label(label: object) -> str:
    """Return ``label`` if it is one of ``LABELS``, else raise ``ValueError`` naming it."""
    if not isinstance(label, str) or label not in LABELS:
        raise ValueError(f"unknown stance label: {label!r} (expected one of {', '.join(LABELS)})")
    return label


def _check_position(label: object) -> str:
    """Return ``label`` if it is one of ``POSITION_LABELS``, else raise ``ValueError``."""
    if not isinstance(label, str) or label not in POSITION_LABELS:
        raise ValueError(
            f"unknown position label: {label!r} (expected one of {', '.join(POSITION_LABELS)})"
        )
    return label


def _check_voice(voice: str) -> str:
    """Return ``voice`` if it is one of ``VOICES``, else raise ``ValueError`` naming it."""
    if voice not in VOICES:
        raise ValueError(f"unknown voice: {voice!r} (expected one of {', '.join(VOICES)})")
    return voice


def combine(labels: Iterable[str]) -> str | None:
    """Combine the stance labels that annotators gave *one quote* into one label.

    No labels gives ``None``. Neutral counts only when nothing else is present, so
    ``{supports, neutral}`` is ``supports``. A single remaining label is the quote's label; two
    annotators who read the same words differently make it ``mixed``. An unknown label raises
    ``ValueError``. (Quotes of a source are not combined this way: see ``evidence``.)
    """
    present = {_check_label(label) for label in labels}
    if not present:
        return None
    sided = present - {NEUTRAL}
    if not sided:
        return NEUTRAL
    if len(sided) == 1:
        return next(iter(sided))
    return MIXED


def grade(lean: Fraction | None) -> str:
    """The position label of a lean (see the scale above); ``None`` (no side) is neutral."""
    if lean is None:
        return NEUTRAL
    if not -1 <= lean <= 1:
        raise ValueError(f"a lean lies in [-1, 1], not {lean}")
    if lean >= STRONG:
        return SUPPORTS
    if lean >= LEANING:
        return LEANS_SUPPORTS
    if lean <= -STRONG:
        return CONTRADICTS
    if lean <= -LEANING:
        return LEANS_CONTRADICTS
    return MIXED


@dataclass(frozen=True)
class Position:
    """What a source (or a group of sources) holds on one proposition, with its evidence.

    ``counts`` has every stance label as a key, in ``LABELS`` order: quotes per label for a
    source, or for a group the quotes of all its sources. ``quotes`` is how many quotes the
    position rests on; ``aside`` counts the quotes kept beside it by attribution (reported,
    counterpoint, background); ``sources`` is 1 for a source. ``lean`` is ``None`` when no quote
    takes a side, and ``label`` is ``None`` only when nothing but quotes set aside was found: the
    source then has no position of its own on the proposition.
    """

    counts: Mapping[str, int]
    lean: Fraction | None
    label: str | None
    aside: Mapping[str, int] = field(default_factory=dict)
    sources: int = 1

    @property
    def quotes(self) -> int:
        return sum(self.counts.values())

    @property
    def single(self) -> bool:
        """Resting on one quote only: shown as such, since one sentence is thin evidence."""
        return self.quotes == 1

    @property
    def set_aside(self) -> int:
        return sum(self.aside.values())

    @property
    def dissent(self) -> tuple[str, ...]:
        """The stance labels that pull against the position's own side (what makes a leaning
        or mixed position less than clear-cut), in ``LABELS`` order."""
        if self.label in (SUPPORTS, LEANS_SUPPORTS):
            pulling = (CONTRADICTS, MIXED)
        elif self.label in (CONTRADICTS, LEANS_CONTRADICTS):
            pulling = (SUPPORTS, MIXED)
        elif self.label == MIXED:
            pulling = (SUPPORTS, CONTRADICTS, MIXED)
        else:
            return ()
        return tuple(label for label in pulling if self.counts.get(label))


_LABEL_SET = frozenset(LABELS)
_ATTRIBUTION_SET = frozenset(ATTRIBUTIONS)


def _graded(supports: int, contradicts: int, mixed: int) -> str:
    """``grade`` of the lean (s - c) / (s + c + m), compared in whole numbers (no division):
    the same thresholds, and the same comparisons the summaries' SQL makes."""
    sided = supports + contradicts + mixed
    if not sided:
        return NEUTRAL
    net = 4 * (supports - contradicts)
    if net >= 4 * sided:  # lean = 1: nothing but supporting quotes
        return SUPPORTS
    if net >= sided:
        return LEANS_SUPPORTS
    if net <= -4 * sided:
        return CONTRADICTS
    if net <= -sided:
        return LEANS_CONTRADICTS
    return MIXED


def _position(counts: dict[str, int], aside: dict[str, int]) -> Position:
    """The position of counted quotes (per stance label) and those set aside."""
    s, c, m = counts[SUPPORTS], counts[CONTRADICTS], counts[MIXED]
    sided = s + c + m
    lean = Fraction(s - c, sided) if sided else None
    label = _graded(s, c, m) if sided or counts[NEUTRAL] else None
    kept = {kind: aside[kind] for kind in ATTRIBUTIONS if aside.get(kind)}
    return Position(counts, lean, label, kept)


def evidence(quotes: Iterable[tuple[str, str]], *, voice: str = "own") -> Position:
    """A source's position from its quotes on one proposition.

    ``quotes`` yields ``(label, attribution)`` per quote, the label already combined over
    annotators. With ``voice="own"`` only the source's own quotes count and the others go to
    ``aside``; with ``voice="all"`` every quote counts. The result has ``label=None`` when
    nothing counted but something was set aside.
    """
    everything = _check_voice(voice) == "all"
    counts = dict.fromkeys(LABELS, 0)
    aside: dict[str, int] = {}
    for label, attribution in quotes:
        _check_label(label)
        if attribution not in _ATTRIBUTION_SET:
            raise ValueError(f"unknown attribution: {attribution!r}")
        if everything or attribution == OWN:
            counts[label] += 1
        else:
            aside[attribution] = aside.get(attribution, 0) + 1
    return _position(counts, aside)


@dataclass(frozen=True)
class StanceRow:
    """One stance, flattened to the identifiers the calculations need.

    ``source`` and ``proposition`` are required; ``publisher`` (of the source), ``annotator``
    (who labelled it), ``claim`` (the quoted span; rows without one count as a quote each) and
    ``attribution`` (whose view the claim is) are used by the functions that need them.
    """

    source: Hashable
    proposition: Hashable
    label: str
    publisher: Hashable | None = None
    annotator: Hashable | None = None
    claim: Hashable | None = None
    attribution: str = OWN


def _merge(known: str, label: str) -> str:
    """``combine`` of two labels, one at a time: folding it over a quote's labels gives
    ``combine`` of them all (neutral yields to a side; two different sides make mixed)."""
    if known == label or label == NEUTRAL:
        return known
    if known == NEUTRAL:
        return label
    return MIXED


def tally(
    stances: Iterable[tuple[Hashable, Hashable, Hashable, str, str]], *, voice: str = "own"
) -> dict[Hashable, dict[Hashable, Position]]:
    """``{source: {proposition: Position}}`` from ``(source, proposition, claim, label,
    attribution)`` tuples, one per stance: what ``source_positions`` computes, for callers
    that read plain rows from the database.

    A claim's labels from several annotators are combined first (``combine``), so each quote
    counts once. Sources and propositions appear in the order they are first met.
    """
    everything = _check_voice(voice) == "all"
    quotes: dict[Hashable, dict[Hashable, dict[Hashable, list[str]]]] = {}
    for source, proposition, claim, label, attribution in stances:
        if label not in _LABEL_SET:
            _check_label(label)
        if attribution not in _ATTRIBUTION_SET:
            raise ValueError(f"unknown attribution: {attribution!r}")
        by_quote = quotes.setdefault(source, {}).setdefault(proposition, {})
        known = by_quote.get(claim)
        if known is None:
            by_quote[claim] = [label, attribution]
        else:
            known[0] = _merge(known[0], label)
    result: dict[Hashable, dict[Hashable, Position]] = {}
    for source, by_proposition in quotes.items():
        held = result[source] = {}
        for proposition, by_quote in by_proposition.items():
            counts = dict.fromkeys(LABELS, 0)
            aside: dict[str, int] = {}
            for label, attribution in by_quote.values():
                if everything or attribution == OWN:
                    counts[label] += 1
                else:
                    aside[attribution] = aside.get(attribution, 0) + 1
            held[proposition] = _position(counts, aside)
    return result


def source_positions(
    rows: Iterable[StanceRow], *, voice: str = "own"
) -> dict[Hashable, dict[Hashable, Position]]:
    """Return ``{source: {proposition: Position}}`` built with ``evidence``.

    A claim's labels from several annotators are combined first, so each quote counts once.
    Sources and propositions appear in the order they are first met in ``rows``. A source
    whose only quotes on a proposition are set aside gets a position with ``label=None``.
    """
    return tally(
        (
            (
                row.source,
                row.proposition,
                # Rows without a claim are distinct quotes: keyed by their place in the input.
                ("claim", row.claim) if row.claim is not None else ("row", index),
                row.label,
                row.attribution,
            )
            for index, row in enumerate(rows)
        ),
        voice=voice,
    )


def _one(labels: list[str]) -> str:
    """Combine a non-empty list of labels, which always yields a label."""
    label = combine(labels)
    if label is None:
        # Lists are only created by appending to them, so reaching this is a bug here.
        raise ValueError("a quote needs at least one label")
    return label


def group(positions: Iterable[Position]) -> Position | None:
    """A group's position (an outlet's, an author's) from its sources' positions.

    One source, one vote: the group's lean is the mean lean of the sources that take a side
    (a prolific source weighs no more than a terse one), graded on the same scale; sources that
    are neutral count as quotes but take no side. ``counts`` and ``aside`` add up the sources'
    quotes. Positions without a label (only quotes set aside) add to ``aside`` alone. ``None``
    when no position is given.
    """
    given = list(positions)
    if not given:
        return None
    counts: Counter[str] = Counter()
    aside: Counter[str] = Counter()
    leans: list[Fraction] = []
    held = 0
    for position in given:
        counts.update(position.counts)
        aside.update(position.aside)
        if position.label is not None:
            held += 1
            if position.lean is not None:
                leans.append(position.lean)
    lean = sum(leans, Fraction(0)) / len(leans) if leans else None
    return Position(
        {label: counts[label] for label in LABELS},
        lean,
        grade(lean) if held else None,
        {a: aside[a] for a in ATTRIBUTIONS if aside[a]},
        sources=len(given),
    )


def publisher_positions(
    rows: Iterable[StanceRow], *, voice: str = "own"
) -> dict[Hashable, dict[Hashable, Position]]:
    """Return ``{publisher: {proposition: Position}}`` over each publisher's sources.

    Each source's position is worked out first and ``group`` combines them. Rows without a
    publisher are skipped; a source that appears under two publishers raises ``ValueError``.
    """
    published = [row for row in rows if row.publisher is not None]
    publisher_of: dict[Hashable, Hashable] = {}
    for row in published:
        known = publisher_of.setdefault(row.source, row.publisher)
        if known != row.publisher:
            raise ValueError(
                f"source {row.source!r} has two publishers: {known!r} and {row.publisher!r}"
            )
    found: dict[Hashable, dict[Hashable, list[Position]]] = defaultdict(lambda: defaultdict(list))
    for source, by_proposition in source_positions(published, voice=voice).items():
        for proposition, position in by_proposition.items():
            found[publisher_of[source]][proposition].append(position)
    result: dict[Hashable, dict[Hashable, Position]] = {}
    for publisher, by_proposition in found.items():
        result[publisher] = {}
        for proposition, held in by_proposition.items():
            combined = group(held)
            if combined is not None:
                result[publisher][proposition] = combined
    return result


def _sorted(keys: Iterable[Hashable]) -> tuple[Hashable, ...]:
    """Sort keys by their text; ``repr`` breaks ties such as ``1`` and ``"1"``."""
    return tuple(sorted(keys, key=lambda key: (str(key), repr(key))))


def closeness(a: Position, b: Position) -> Fraction:
    """How close two positions are, from 0 (supports against contradicts) to 1 (same lean).

    ``1 - |lean_a - lean_b| / 2``, a neutral position counting as lean 0 (it leans neither
    way): supports (lean 1) against 6 supports + 1 mixed (6/7) is 13/14, against 4 supports +
    1 contradicts (3/5) is 4/5, against mixed (0) is 1/2.
    """
    lean_a = a.lean if a.lean is not None else Fraction(0)
    lean_b = b.lean if b.lean is not None else Fraction(0)
    return 1 - abs(lean_a - lean_b) / 2


# Two positions at least this close agree: at most a quarter of the scale apart (supports and
# mixed do not). A clear position and a leaning one on the same side also agree, however
# weakly the second leans (see ``near``): a lean of 1/3 against 1 is only 2/3 close.
AGREE_FROM = Fraction(3, 4)
_NEIGHBOURS = frozenset(
    {frozenset({SUPPORTS, LEANS_SUPPORTS}), frozenset({CONTRADICTS, LEANS_CONTRADICTS})}
)


def near(a: Position, b: Position) -> bool:
    """Whether two positions agree or nearly so: at least ``AGREE_FROM`` close, or the same
    side of the scale one step apart (supports and leans supports, contradicts and leans
    contradicts), as the graded labels promise."""
    if closeness(a, b) >= AGREE_FROM:
        return True
    return frozenset({a.label, b.label}) in _NEIGHBOURS


def weight(a: Position, b: Position) -> int:
    """How much one shared proposition counts in the agreement score: the quotes of the side
    that says less about it (at least 1, since a position taken rests on a quote).

    Two articles that each argue a proposition at length say more about where they stand than
    two passing sentences do, and a proposition one of them mentions once weighs as that one
    quote, however much the other says: 5 quotes against 5 count 5, 1 against 6 count 1.
    """
    return max(1, min(a.quotes, b.quotes))


@dataclass(frozen=True)
class Agreement:
    """How two sets of positions compare, proposition by proposition.

    ``closeness`` maps each shared proposition to ``closeness(a, b)`` and ``weights`` to
    ``weight(a, b)``; ``agreeing`` holds those where the two are ``near``, ``diverging`` the
    others, the furthest apart first (ties by text); the other tuples are sorted by the
    propositions' text. ``score`` is the mean closeness over the shared propositions, each
    counted ``weight`` times (an evidence-weighted mean), and ``unweighted`` the plain mean,
    each proposition counted once; both are ``None`` when nothing is shared.
    """

    shared: tuple[Hashable, ...]
    agreeing: tuple[Hashable, ...]
    diverging: tuple[Hashable, ...]
    only_a: tuple[Hashable, ...]
    only_b: tuple[Hashable, ...]
    score: float | None
    closeness: Mapping[Hashable, Fraction] = field(default_factory=dict)
    weights: Mapping[Hashable, int] = field(default_factory=dict)
    unweighted: float | None = None


def agreement(a: Mapping[Hashable, Position], b: Mapping[Hashable, Position]) -> Agreement:
    """Compare two ``{proposition: Position}`` mappings, e.g. two sources or publishers.

    Positions without a label of their own (only quotes set aside) count as not taken. The
    sums are exact (``Fraction``) until the final division.
    """
    held_a = {key for key, position in a.items() if position.label is not None}
    held_b = {key for key, position in b.items() if position.label is not None}
    shared = _sorted(held_a & held_b)
    close = {proposition: closeness(a[proposition], b[proposition]) for proposition in shared}
    weights = {proposition: weight(a[proposition], b[proposition]) for proposition in shared}
    together = {p for p in shared if near(a[p], b[p])}
    agreeing = tuple(p for p in shared if p in together)
    diverging = tuple(sorted((p for p in shared if p not in together), key=lambda p: close[p]))
    score = unweighted = None
    if shared:
        weighted = sum((close[p] * weights[p] for p in shared), Fraction(0))
        score = float(weighted / sum(weights.values()))
        unweighted = float(sum(close.values(), Fraction(0)) / len(shared))
    return Agreement(
        shared=shared,
        agreeing=agreeing,
        diverging=diverging,
        only_a=_sorted(held_a - held_b),
        only_b=_sorted(held_b - held_a),
        score=score,
        closeness=close,
        weights=weights,
        unweighted=unweighted,
    )


def divergence_parts(counts: Mapping[str, int]) -> tuple[int, int]:
    """Numerator and denominator of ``divergence`` from counts of position labels (the same
    whole numbers ``claims.summaries`` computes in SQL, so both divide to the same float)."""
    sided = {label: counts.get(label, 0) for label in SCALE}
    n = sum(sided.values())
    if n < 2:
        return 0, 1
    spread = sum(sided[x] * sided[y] * abs(STEPS[x] - STEPS[y]) for x, y in combinations(SCALE, 2))
    return spread * (n - 1), n**3


def divergence(positions: Iterable[str]) -> float:
    """How split the sources are on a proposition, from 0.0 (all alike) to under 1.0.

    ``positions`` are position labels, one per source; neutral takes no side and is left out.
    Each label has a step on the scale (supports 2, leans supports 1, mixed 0, and the mirror
    images). With n sided sources, the *balance* is the sum of the step differences over all
    pairs of sources divided by n²: 1 when they split evenly between supports and contradicts,
    whatever n is. The divergence weighs the balance by how many sources take part,
    ``balance × (n - 1) / n``, so that one source against another (1/2) is not as sharp a
    split as two against two (3/4) or three against three (5/6). Fewer than two sided sources
    give 0.0. The arithmetic is in whole numbers until one final division.
    """
    numerator, denominator = divergence_parts(distribution(positions))
    return numerator / denominator


def distribution(positions: Iterable[str]) -> dict[str, int]:
    """Count position labels; every label in ``POSITION_LABELS`` is a key, in that order."""
    counts = Counter(map(_check_position, positions))
    return {label: counts[label] for label in POSITION_LABELS}


@dataclass(frozen=True)
class AnnotatorAgreement:
    """Agreement between two annotators on the items both labelled.

    ``items`` counts claim-and-proposition pairs labelled by both; ``observed`` is the share of
    them with identical labels and ``kappa`` is Cohen's kappa. Both are ``None`` when there
    are no items; ``kappa`` is also ``None`` when chance agreement is already certain.
    """

    items: int
    observed: float | None
    kappa: float | None


def annotator_agreement(rows: Iterable[StanceRow], a: Hashable, b: Hashable) -> AnnotatorAgreement:
    """Measure agreement between annotators ``a`` and ``b``.

    Rows are paired by ``(claim, proposition)``; rows without a claim cannot be paired and are
    skipped. Should one annotator label the same item twice, the labels are combined with
    ``combine`` first.
    """
    if a == b:
        raise ValueError(f"annotator agreement needs two different annotators, got {a!r} twice")
    labels: dict[Hashable, dict[tuple[Hashable, Hashable], list[str]]] = {a: {}, b: {}}
    for row in rows:
        if row.claim is None or row.annotator not in labels:
            continue
        labels[row.annotator].setdefault((row.claim, row.proposition), []).append(row.label)
    items = labels[a].keys() & labels[b].keys()
    if not items:
        return AnnotatorAgreement(items=0, observed=None, kappa=None)

    pairs = [(_one(labels[a][item]), _one(labels[b][item])) for item in items]
    n = len(pairs)
    # Fractions keep the arithmetic exact, so "chance agreement is 1" is a real equality test.
    observed = Fraction(sum(x == y for x, y in pairs), n)
    marginal_a = Counter(x for x, _ in pairs)
    marginal_b = Counter(y for _, y in pairs)
    expected = sum(Fraction(marginal_a[label] * marginal_b[label], n * n) for label in LABELS)
    kappa = None if expected == 1 else float((observed - expected) / (1 - expected))
    return AnnotatorAgreement(items=n, observed=float(observed), kappa=kappa)

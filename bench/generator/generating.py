"""A synthetic but realistic corpus for benchmarks, generated straight into the database.

Everything follows from (sources, claims per source, seed, annotators): the same arguments give
the same titles, bodies, offsets, labels and timestamps. Each source draws from a random
generator of its own, seeded with the corpus seed and its index, so source 19,999 is the same
whether or not the 19,998 before it were generated in this run.

The rows are written the way the bulk of a real corpus would be if it were loaded at once: with
ids assigned here, one creation record per object in the history tables, and (on PostgreSQL)
through COPY. The database's own checks stay on: the triggers that compare each claim's quote
with its source's body see every generated claim.

What counts as generated, so that a second run may replace it without --force:

* sources whose provenance has a ``"generated"`` entry;
* publishers, authors, topics, actors and propositions whose slug starts with ``gen-``;
* claims nobody created (``created_by`` is empty);
* stances by the ``gen-annotator-N`` users;
* history records no user wrote.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from queue import Full, Queue
from random import Random
from threading import Event, Thread

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.db.models import Q

from claims.anchoring import make_anchor
from claims.importing.cleaning import HEADING, PARAGRAPH
from claims.layout import split_blocks
from claims.models import (
    Actor,
    Author,
    Authorship,
    Claim,
    Proposition,
    Publisher,
    Source,
    Stance,
    StanceLabel,
    Topic,
)
from claims.models.annotations import ClaimAttribution, ClaimKind
from claims.models.sources import PublisherKind
from claims.summaries import rebuild_proposition_summaries

GENERATOR_VERSION = "claims.generating/1"
SLUG_PREFIX = "gen-"
ANNOTATOR_PREFIX = "gen-annotator-"
HISTORY_REASON = "generated"

# Marker words for search benchmarks. Each is a plain English word that the `english` text
# search configuration keeps as it is (its stem is the word itself) and that the vocabulary
# below never uses, so every occurrence was put there on purpose, always inside a claim:
#   rare   — about 1 claim in 100,000, and at least 1 in any corpus (the first claim of
#            source 0, then one every 100,000 claims);
#   medium — about 1% of claims;
#   common — about 25% of claims.
# A claim nested inside another claim (a clause inside a sentence) carries its marker into the
# enclosing claim too, so measured counts run a little above these rates.
SEARCH_TERMS = {"rare": "zeppelin", "medium": "saffron", "common": "harbour"}
_MEDIUM_RATE = 0.008
_COMMON_RATE = 0.2
_RARE_EVERY = 100_000
_TERM_PHRASES = {
    "zeppelin": ("aboard the zeppelin", "beside the old zeppelin hangar"),
    "saffron": ("in the saffron trade", "along the saffron route"),
    "harbour": ("near the harbour", "at the harbour", "around the harbour"),
}

DEFAULT_CLAIMS_PER_SOURCE = 50
DEFAULT_ANNOTATORS = 3
DEFAULT_BATCH_SIZE = 1000
MAX_SOURCES = 200_000
MAX_CLAIMS_PER_SOURCE = 200
MAX_CLAIMS = 10_000_000
MAX_ANNOTATORS = 20
MAX_BATCH_SIZE = 10_000
MAX_SEED = 2**31 - 1

# Every timestamp is an offset from here, never the clock, so that two runs agree.
BASE_TIME = datetime(2023, 1, 2, 9, 0, tzinfo=UTC)
_VOCABULARY_TIME = BASE_TIME - timedelta(days=60)
_PUBLICATION_DAYS = 3 * 365
_BODY_LENGTHS = (4_000, 11_000)  # leaves room for marker phrases under 12,000 code points
_POOL_SIZE = 6
_CAST_SIZE = 8


class GenerationError(ValueError):
    """The corpus cannot be generated as asked; nothing has been written."""


class ForeignContentError(GenerationError):
    """The database holds content the generator did not make, and replacing it was not forced."""


@dataclass(frozen=True)
class Parameters:
    """What a generated corpus is made from; two corpora with equal parameters are identical."""

    sources: int
    claims_per_source: int = DEFAULT_CLAIMS_PER_SOURCE
    seed: int = 1
    annotators: int = DEFAULT_ANNOTATORS
    generator: str = GENERATOR_VERSION

    @property
    def claims(self) -> int:
        return self.sources * self.claims_per_source


@dataclass(frozen=True)
class Progress:
    """Reported after each batch of sources is written."""

    sources_done: int
    sources_total: int
    claims_done: int
    claims_total: int
    elapsed: float

    @property
    def claims_per_second(self) -> float:
        return self.claims_done / self.elapsed if self.elapsed > 0 else 0.0


@dataclass
class Summary:
    """What a run wrote: rows per table (history included) and how long it took."""

    parameters: Parameters
    rows: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


@dataclass(frozen=True)
class Sizes:
    """How many of each kind of object a corpus has; everything scales with its claim count."""

    publishers: int
    authors: int
    topics: int
    root_topics: int
    actors: int
    propositions: int

    @classmethod
    def of(cls, parameters: Parameters) -> Sizes:
        sources, claims = parameters.sources, parameters.claims
        topics = max(12, claims // 2500)
        return cls(
            publishers=max(5, sources // 100),
            authors=max(10, sources // 5),
            topics=topics,
            root_topics=max(1, round(math.sqrt(topics))),
            actors=max(40, claims // 3000),
            propositions=max(30, claims // 40),
        )


# --- Vocabulary -------------------------------------------------------------------------------
# Real words about geopolitics, energy and diplomacy, and real-looking names. None of them may
# contain a search term: tests/test_generate_corpus.py checks that.

STATES = (
    "Azerbaijan", "Armenia", "Georgia", "Türkiye", "Iran", "Russia", "Kazakhstan", "Turkmenistan",
    "Uzbekistan", "Ukraine", "Poland", "Romania", "Bulgaria", "Greece", "Germany", "France",
    "Italy", "Norway", "Qatar", "Egypt", "Israel", "Saudi Arabia", "the United Arab Emirates",
    "India", "China", "Japan", "South Korea", "Pakistan", "Iraq", "Syria", "Lebanon", "Jordan",
    "Algeria", "Libya", "Nigeria", "Brazil", "Canada", "the United States", "the United Kingdom",
    "Hungary", "Serbia", "Moldova", "Belarus", "Lithuania", "Estonia", "Finland", "Sweden",
    "Oman", "Kuwait", "Tunisia", "Côte d’Ivoire", "Mexico", "Indonesia", "Vietnam", "Kenya",
)  # fmt: skip
FIRST_NAMES = (
    "Ilham", "Nikol", "Ayşe", "Mehmet", "Łukasz", "Zoë", "José", "François", "Søren", "Björn",
    "Anaïs", "Jürgen", "Dóra", "Małgorzata", "Şebnem", "Tamar", "Giorgi", "Irakli", "Leyla",
    "Farid", "Olena", "Dmytro", "Aigerim", "Nurlan", "Amira", "Karim", "Chen", "Hiroshi", "Priya",
    "Arjun", "Grace", "Daniel", "Sofia", "Elena", "Mateo", "Ingrid", "Kwame", "Noura", "Ömer",
    "Renée",
)  # fmt: skip
LAST_NAMES = (
    "Öztürk", "Aliyev", "Pashinyan", "Kowalczyk", "Đorđević", "Müller", "Núñez", "Søndergaard",
    "Çelik", "Yılmaz", "Kapanadze", "Beridze", "Hasanov", "Mammadova", "Petrenko", "Kovalenko",
    "Nurlanov", "Haddad", "Mansour", "Rahimi", "Tehrani", "Lindqvist", "Dubois", "Lefèvre",
    "García", "Okafor", "Mensah", "Tanaka", "Sharma", "Novák", "Horváth", "Popescu", "Ivanova",
    "Smirnov", "Schäfer", "Brennan", "O’Neill", "Nakamura", "Kim", "Rossi",
)  # fmt: skip
ORG_REGIONS = (
    "Caspian", "Northern", "Eurasian", "Atlantic", "Black Sea", "Gulf", "Danube", "Levant",
    "Baltic", "Silk Road", "Continental", "Southern", "Arctic", "Mediterranean",
)  # fmt: skip
ORG_FIELDS = (
    "Energy", "Gas", "Security", "Trade", "Transit", "Grid", "Maritime", "Mineral",
    "Development", "Pipeline",
)  # fmt: skip
ORG_BODIES = (
    "Council", "Consortium", "Agency", "Forum", "Commission", "Institute", "Alliance", "Bank",
)  # fmt: skip
OUTLET_PLACES = (
    "Caucasus", "Meridian", "Steppe", "Eastern", "Frontier", "Continental", "Pontic", "Global",
    "Northern", "Capital", "Border", "Strait", "Delta", "Highland", "Coastal",
)  # fmt: skip
OUTLET_NAMES = (
    "Review", "Dispatch", "Monitor", "Observer", "Ledger", "Courier", "Journal", "Bulletin",
    "Wire", "Quarterly", "Digest", "Chronicle", "Gazette", "Brief",
)  # fmt: skip
COUNTRIES = ("GB", "US", "FR", "DE", "TR", "AZ", "AM", "GE", "KZ", "QA", "IN", "BR", "UA", "PL")
TOPIC_ROOTS = (
    "Energy security", "South Caucasus", "Black Sea", "Central Asia", "Eastern Mediterranean",
    "Gulf politics", "Arctic", "Sanctions", "Critical minerals", "Nuclear diplomacy",
    "Food security", "Shipping lanes", "Arms control", "Climate diplomacy", "Migration",
    "Cyber security", "Trade corridors", "Electricity grids", "Water disputes", "Alliances",
)  # fmt: skip
TOPIC_ASPECTS = (
    "pipelines", "LNG terminals", "power lines", "border talks", "peace process",
    "sanctions relief", "defence pacts", "ports", "rail links", "refineries", "elections",
    "debt talks", "grain exports", "uranium", "lithium", "transit fees", "naval patrols",
    "aid flows", "treaty reviews", "summits", "gas storage", "oil tankers",
)  # fmt: skip
SYLLABLES = (
    "ka", "ran", "vel", "dor", "mi", "sha", "tor", "lin", "bek", "zar", "ost", "ura", "nev",
    "gal", "ter", "mo", "ria", "sel", "dan", "ko",
)  # fmt: skip
REGIONS = (
    "southern Europe", "the Balkans", "Central Asia", "the Gulf", "East Africa",
    "the Baltic states", "South Asia", "the Levant", "North Africa",
)  # fmt: skip
SEAS = (
    "Black Sea", "Caspian Sea", "Red Sea", "Baltic Sea", "eastern Mediterranean",
    "Arctic Ocean", "Persian Gulf",
)  # fmt: skip
PAST_VERBS = (
    "expanded", "suspended", "renegotiated", "announced", "delayed", "financed", "blocked",
    "approved", "reviewed", "postponed", "challenged", "welcomed", "criticised", "extended",
)  # fmt: skip
BASE_VERBS = (
    "expand", "suspend", "renegotiate", "announce", "delay", "finance", "block", "approve",
    "review", "postpone", "challenge", "welcome", "criticise", "extend",
)  # fmt: skip
REPORT_VERBS = ("warned", "reported", "estimated", "argued", "noted", "concluded", "insisted")
MODALS = ("could", "would", "might", "will", "may", "is expected to", "is unlikely to")
OBJECTS = (
    "gas exports to {region}", "the {place} pipeline", "a new transit agreement",
    "sanctions on {state}", "the {place} corridor", "grain shipments across the {sea}",
    "electricity imports from {state}", "the uranium deal with {state}",
    "customs rules for the {place} crossing",
    "a loan of {n} billion dollars for the {place} terminal",
    "the ceasefire along the {place} line", "talks on the maritime boundary in the {sea}",
    "the price cap on crude oil", "lithium mining rights in {place}",
    "naval patrols in the {sea}", "tariffs on steel from {state}",
    "the 𝑥-coefficient in the regional grid model", "a {n} percent rise in transit fees",
    "the refinery expansion at {place}", "security guarantees for {state}",
    "the grid interconnector with {state}", "the debt restructuring plan for {state}",
)  # fmt: skip
TAILS = (
    "in {month} {year}", "after months of talks", "despite objections from {state}",
    "according to diplomats in {place}", "for the first time since {year}",
    "ahead of the summit in {place}", "under pressure from the {org}",
)  # fmt: skip
JOINERS = (", while ", " — ", ", and ", "; ", ", but ")
ROLES = (
    "a spokesperson for the {org}", "the deputy foreign minister of {state}",
    "an adviser to the president of {state}", "the chief negotiator for {state}",
    "a senior analyst at the {org}",
)  # fmt: skip
ASIDES = (
    "Markets reacted within hours 📉.", "The figures were revised twice 🌍.",
    "Neither side published the full text.", "Details remain scarce.",
)  # fmt: skip
HEADINGS = (
    "Background", "What changed", "The numbers", "Reactions", "Outlook", "Risks ahead",
    "Who gains", "The diplomatic track", "Energy flows", "Between {state} and {state2}",
    "After the {place} talks",
)  # fmt: skip
HEADLINES = (
    "the new arithmetic of {aspect}", "a quiet shift on {aspect}", "why {aspect} matter again",
    "what the {place} deal means", "the long road to {place}", "a test for {aspect}",
)  # fmt: skip
PROPOSITIONS = (
    "{state} will expand its role in {aspect} before {year}.",
    "{state} supports new agreements with {state2} on {aspect}.",
    "{state} and {state2} will settle their dispute over {aspect} by {year}.",
    "The {org} will fund {aspect} projects in {state}.",
    "{state} is reducing its dependence on {state2} for {aspect}.",
    "{state} will lift its restrictions on {aspect} by {year}.",
    "{state2} opposes the plans of {state} for {aspect}.",
)  # fmt: skip
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
TRANSLATED_FROM = ("ru", "tr", "fr", "de", "ar", "fa", "uk", "ka", "az")

# Kinds of the claims a source makes in its own voice; sentences quoting a speaker are
# factual reports of someone else's view.
_KIND_WEIGHTS = {
    ClaimKind.FACTUAL: 35,
    ClaimKind.ANALYSIS: 30,
    ClaimKind.FORECAST: 20,
    ClaimKind.OPINION: 15,
}
_LABEL_WEIGHTS = {
    StanceLabel.SUPPORTS: 40,
    StanceLabel.CONTRADICTS: 30,
    StanceLabel.MIXED: 15,
    StanceLabel.NEUTRAL: 15,
}
_AGREEMENT = 0.8
_SPEECH_RATE = 0.2
_ASIDE_RATE = 0.03


def _indexed_name(parts: Sequence[Sequence[str]], n: int, separator: str = " ") -> str:
    """A distinct name for every `n`: words picked in mixed radix, numbered once they run out."""
    words, rest = [], n
    for choices in parts:
        words.append(choices[rest % len(choices)])
        rest //= len(choices)
    name = separator.join(words)
    return f"{name} {rest + 1}" if rest else name


def _place(rng: Random) -> str:
    """A made-up place name, so that the text has proper names no dictionary knows."""
    word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
    return word.capitalize()


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- Vocabulary objects -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Actor:
    id: int
    name: str


@dataclass
class _Vocabulary:
    """The shared objects every source refers to, by id, plus what text needs about them."""

    publishers: list[tuple[int, str]]
    author_ids: list[int]
    leaf_topics: list[tuple[int, str]]
    propositions_by_topic: dict[int, list[int]]
    proposition_ids: list[int]
    states: list[_Actor]
    persons: list[_Actor]
    organisations: list[_Actor]
    annotator_ids: list[int]


# Three states, four persons and three organisations in every ten actors.
_ACTOR_KINDS = (Actor.Kind.STATE,) * 3 + (Actor.Kind.PERSON,) * 4 + (Actor.Kind.ORGANISATION,) * 3


def _actor_name(kind: str, n: int, rng: Random) -> str:
    if kind == Actor.Kind.STATE:
        index = n // 10 * 3 + n % 10
        if index < len(STATES):
            return STATES[index]
        return f"the Republic of {_place(rng)}"
    # Stepping through the combinations by a stride prime to their count gives every person
    # and organisation a name of their own, in no obvious order.
    if kind == Actor.Kind.PERSON:
        return _indexed_name(
            [FIRST_NAMES, LAST_NAMES], n * 41 % (len(FIRST_NAMES) * len(LAST_NAMES))
        )
    parts = [ORG_REGIONS, ORG_FIELDS, ORG_BODIES]
    return _indexed_name(parts, n * 37 % math.prod(len(part) for part in parts))


def _vocabulary_time(n: int) -> datetime:
    return _VOCABULARY_TIME + timedelta(seconds=n)


def _topic_rows(sizes: Sizes) -> tuple[list[tuple], list[tuple[int, str, int]]]:
    """Roots first, then children dealt out to the roots in turn: (id, name, root id)."""
    rows, leaves = [], []
    roots = sizes.root_topics
    for r in range(roots):
        name = _indexed_name([TOPIC_ROOTS], r)
        created = _vocabulary_time(r)
        rows.append((r + 1, created, created, name, f"{SLUG_PREFIX}topic-{r + 1}", "", None))
    for k in range(sizes.topics - roots):
        root = k % roots
        root_name = _indexed_name([TOPIC_ROOTS], root)
        aspect = _indexed_name([TOPIC_ASPECTS], k // roots)
        topic_id = roots + k + 1
        created = _vocabulary_time(topic_id)
        name = f"{root_name} — {aspect}"
        rows.append(
            (topic_id, created, created, name, f"{SLUG_PREFIX}topic-{topic_id}", "", root + 1)
        )
        leaves.append((topic_id, aspect, root + 1))
    return rows, leaves


# --- Tables -----------------------------------------------------------------------------------

_HISTORY_COLUMNS = (
    "history_id", "history_date", "history_change_reason", "history_type", "history_user_id",
)  # fmt: skip


class _Table:
    """A table written column by column, in an order checked against the model's own fields.

    A model that gains or loses a column fails here, loudly, instead of being written wrong.
    """

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        expected = {f.attname for f in model._meta.concrete_fields}
        if set(columns) != expected or len(columns) != len(expected):
            missing, extra = sorted(expected - set(columns)), sorted(set(columns) - expected)
            raise RuntimeError(
                f"{model._meta.label}: generator columns are out of date "
                f"(missing {missing}, unknown {extra})"
            )
        self.model = model
        self.name = model._meta.db_table
        fields = {f.attname: f.column for f in model._meta.concrete_fields}
        self.columns = tuple(fields[c] for c in columns)
        self.pk_column = model._meta.pk.column


class _HistoryTable(_Table):
    """The history table of a model, filled with one creation record per row of the model."""

    def __init__(self, model, base: Sequence[str], excluded: Sequence[str] = ()) -> None:
        kept = [c for c in base if c not in excluded]
        super().__init__(model, [*kept, *_HISTORY_COLUMNS])
        self.picks = tuple(base.index(c) for c in kept)

    def record(self, row: tuple, history_date: datetime) -> tuple:
        values = tuple(row[i] for i in self.picks)
        return (*values, row[0], history_date, HISTORY_REASON, "+", None)


PUBLISHER_COLUMNS = (
    "id", "created", "modified", "name", "slug", "homepage", "kind", "country", "language",
    "description",
)  # fmt: skip
AUTHOR_COLUMNS = ("id", "created", "modified", "name", "slug", "bio", "homepage")
TOPIC_COLUMNS = ("id", "created", "modified", "name", "slug", "description", "parent_id")
ACTOR_COLUMNS = ("id", "created", "modified", "name", "slug", "kind", "wikidata_id")
PROPOSITION_COLUMNS = (
    "id", "created", "modified", "version", "text", "slug", "notes", "created_by_id",
)  # fmt: skip
PROPOSITION_TOPIC_COLUMNS = ("id", "proposition_id", "topic_id")
SOURCE_COLUMNS = (
    "id", "created", "modified", "version", "publisher_id", "title", "title_supplied", "slug",
    "url", "published_on", "language", "translated_from", "body", "body_sha256", "blocks",
    "status", "published_at", "published_by_id", "provenance", "deleted_at", "revision_of_id",
)  # fmt: skip
AUTHORSHIP_COLUMNS = ("id", "source_id", "author_id", "role", "order")
CLAIM_COLUMNS = (
    "id", "created", "modified", "version", "source_id", "start", "end", "quote", "prefix",
    "suffix", "kind", "attribution", "speaker_id", "note", "anchor_state", "created_by_id",
    "revision_of_id",
)  # fmt: skip
CLAIM_ACTOR_COLUMNS = ("id", "claim_id", "actor_id")
STANCE_COLUMNS = (
    "id", "created", "modified", "version", "claim_id", "proposition_id", "label",
    "annotator_id", "note", "revision_of_id", "needs_recheck",
)  # fmt: skip


class _Tables:
    """Every table the generator writes, in an order that satisfies the foreign keys."""

    def __init__(self) -> None:
        historical_claim_actors = apps.get_model("claims", "HistoricalClaim_actors")
        self.publisher = _Table(Publisher, PUBLISHER_COLUMNS)
        self.author = _Table(Author, AUTHOR_COLUMNS)
        self.topic = _Table(Topic, TOPIC_COLUMNS)
        self.actor = _Table(Actor, ACTOR_COLUMNS)
        self.proposition = _Table(Proposition, PROPOSITION_COLUMNS)
        self.proposition_history = _HistoryTable(Proposition.history.model, PROPOSITION_COLUMNS)
        self.proposition_topic = _Table(Proposition.topics.through, PROPOSITION_TOPIC_COLUMNS)
        self.source = _Table(Source, SOURCE_COLUMNS)
        self.source_history = _HistoryTable(
            Source.history.model, SOURCE_COLUMNS, excluded=("body_sha256",)
        )
        self.authorship = _Table(Authorship, AUTHORSHIP_COLUMNS)
        self.claim = _Table(Claim, CLAIM_COLUMNS)
        self.claim_history = _HistoryTable(Claim.history.model, CLAIM_COLUMNS)
        self.claim_actor = _Table(Claim.actors.through, CLAIM_ACTOR_COLUMNS)
        self.claim_actor_history = _Table(
            historical_claim_actors, ("id", "claim_id", "actor_id", "history_id", "m2m_history_id")
        )
        self.stance = _Table(Stance, STANCE_COLUMNS)
        self.stance_history = _HistoryTable(Stance.history.model, STANCE_COLUMNS)

    def all(self) -> list[_Table]:
        return [value for value in vars(self).values() if isinstance(value, _Table)]

    def cleared(self) -> list[str]:
        """The tables a run empties: its own, then those of any other model that points at
        them (data derived from the corpus, which would otherwise block or outlive it)."""
        written = {table.model for table in self.all()}
        derived: list[type[models.Model]] = []
        found = True
        while found:
            found = False
            for model in apps.get_models(include_auto_created=True):
                if model in written or model in derived or not model._meta.managed:
                    continue
                if model._meta.proxy:
                    continue
                targets = {f.related_model for f in model._meta.concrete_fields if f.is_relation}
                if targets & (written | set(derived)):
                    derived.append(model)
                    found = True
        return [table.name for table in self.all()] + [m._meta.db_table for m in derived]


# --- Writing ----------------------------------------------------------------------------------


class _Sink:
    """Writes rows to the database; subclasses know the fastest way for their backend."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def write(self, table: _Table, rows: list[tuple]) -> None:
        if rows:
            self._write(table, rows)
            self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)

    def _write(self, table: _Table, rows: list[tuple]) -> None:
        raise NotImplementedError

    def clear(self, tables: list[str]) -> None:
        raise NotImplementedError

    def finish(self, tables: list[_Table]) -> None:
        """Bring the database's bookkeeping (sequences, statistics) in line with the rows."""


class _PostgresSink(_Sink):
    """COPY for speed. Foreign keys are checked after each statement rather than at commit, so
    that the queue of pending checks never grows with the corpus."""

    def __init__(self) -> None:
        super().__init__()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    def _write(self, table: _Table, rows: list[tuple]) -> None:
        columns = ", ".join(connection.ops.quote_name(c) for c in table.columns)
        sql = f"COPY {connection.ops.quote_name(table.name)} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)

    def clear(self, tables: list[str]) -> None:
        names = ", ".join(connection.ops.quote_name(table) for table in tables)
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {names}")

    def finish(self, tables: list[_Table]) -> None:
        with connection.cursor() as cursor:
            for table in tables:
                name, pk = connection.ops.quote_name(table.name), table.pk_column
                # Sequences never move back: they are not transactional, so a generation that
                # is rolled back (a test, a failure) must not leave them below rows that the
                # rollback brings back.
                cursor.execute(
                    f"SELECT pg_get_serial_sequence(%s, %s), "
                    f"(SELECT max({connection.ops.quote_name(pk)}) FROM {name})",
                    [table.name, pk],
                )
                sequence, highest = cursor.fetchone()
                cursor.execute("SELECT pg_sequence_last_value(%s::regclass)", [sequence])
                last = cursor.fetchone()[0]
                value = max(highest or 0, last or 0)
                cursor.execute("SELECT setval(%s, %s, %s)", [sequence, max(value, 1), value > 0])
            for table in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table.name)}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


class _SqliteSink(_Sink):
    """executemany in batches: SQLite holds test and small corpora only."""

    def _write(self, table: _Table, rows: list[tuple]) -> None:
        columns = ", ".join(connection.ops.quote_name(c) for c in table.columns)
        marks = ", ".join(["%s"] * len(table.columns))
        sql = f"INSERT INTO {connection.ops.quote_name(table.name)} ({columns}) VALUES ({marks})"
        with connection.cursor() as cursor:
            cursor.executemany(sql, [tuple(map(self._adapt, row)) for row in rows])

    @staticmethod
    def _adapt(value):
        if isinstance(value, datetime):
            return connection.ops.adapt_datetimefield_value(value)
        if isinstance(value, date):
            return connection.ops.adapt_datefield_value(value)
        return value

    def clear(self, tables: list[str]) -> None:
        with connection.cursor() as cursor:
            for table in reversed(tables):
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")


def _sink() -> _Sink:
    if connection.vendor == "postgresql":
        return _PostgresSink()
    if connection.vendor == "sqlite":
        return _SqliteSink()
    raise GenerationError(f"generating a corpus is not supported on {connection.vendor}")


# --- Safety -----------------------------------------------------------------------------------

OWNERSHIP_RULE = (
    "Generated content is: sources whose provenance has a “generated” entry; publishers, "
    f"authors, topics, actors and propositions whose slug starts with “{SLUG_PREFIX}”; claims "
    f"with no creator; stances by {ANNOTATOR_PREFIX}N users; history records no user wrote."
)


def _history_models() -> list[type[models.Model]]:
    return [model.history.model for model in (Source, Claim, Stance, Proposition)]


def foreign_content() -> dict[str, int]:
    """Rows the generator did not make, by kind; empty when the corpus may be replaced."""
    generated = Q(provenance__has_key="generated")
    not_generated_slug = ~Q(slug__startswith=SLUG_PREFIX)
    counts = {
        "sources": Source.objects.exclude(generated).count(),
        "publishers": Publisher.objects.filter(not_generated_slug).count(),
        "authors": Author.objects.filter(not_generated_slug).count(),
        "topics": Topic.objects.filter(not_generated_slug).count(),
        "actors": Actor.objects.filter(not_generated_slug).count(),
        "propositions": Proposition.objects.filter(not_generated_slug).count(),
        "claims with a creator": Claim.objects.filter(created_by__isnull=False).count(),
        "stances by other annotators": Stance.objects.exclude(
            annotator__username__startswith=ANNOTATOR_PREFIX
        ).count(),
        "history records of other sources": Source.history.exclude(generated).count(),
        "history records written by a user": sum(
            model.objects.filter(history_user__isnull=False).count() for model in _history_models()
        ),
    }
    return {kind: count for kind, count in counts.items() if count}


def _refuse_foreign_content() -> None:
    found = foreign_content()
    if found:
        listed = ", ".join(f"{count:,} {kind}" for kind, count in found.items())
        raise ForeignContentError(
            f"The database holds content the generator did not make ({listed}). "
            f"{OWNERSHIP_RULE} Nothing was changed; use --force to delete all corpus content "
            "and generate anyway."
        )


def validate(parameters: Parameters, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
    """Refuse arguments outside what the generator is made for, saying which and why."""
    bounds = {
        "sources": (parameters.sources, 1, MAX_SOURCES),
        "claims per source": (parameters.claims_per_source, 1, MAX_CLAIMS_PER_SOURCE),
        "annotators": (parameters.annotators, 1, MAX_ANNOTATORS),
        "seed": (parameters.seed, 0, MAX_SEED),
        "batch size": (batch_size, 1, MAX_BATCH_SIZE),
    }
    for name, (value, low, high) in bounds.items():
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise GenerationError(f"{name} must be a whole number from {low:,} to {high:,}")
    if parameters.claims > MAX_CLAIMS:
        raise GenerationError(
            f"sources × claims per source must not exceed {MAX_CLAIMS:,} "
            f"(got {parameters.claims:,})"
        )


# --- Shared objects ---------------------------------------------------------------------------


def _annotators(count: int) -> list[int]:
    """The generated annotators, created when missing; surplus ones from a bigger run go."""
    user_model = get_user_model()
    wanted = [f"{ANNOTATOR_PREFIX}{n}" for n in range(1, count + 1)]
    user_model.objects.filter(username__startswith=ANNOTATOR_PREFIX).exclude(
        username__in=wanted
    ).delete()
    ids = []
    for n, username in enumerate(wanted, start=1):
        user = user_model.objects.filter(username=username).first()
        if user is None:
            # A byline for generated stances, not an account anyone logs into.
            user = user_model(
                username=username,
                first_name=f"Generated annotator {n}",
                is_active=False,
                date_joined=BASE_TIME,
            )
            user.set_unusable_password()
            user.save()
        ids.append(user.pk)
    return ids


def _write_vocabulary(sink: _Sink, tables: _Tables, parameters: Parameters) -> _Vocabulary:
    sizes = Sizes.of(parameters)
    rng = Random(f"{parameters.seed}:vocabulary")

    publishers, publisher_rows = [], []
    for n in range(sizes.publishers):
        slug = f"{SLUG_PREFIX}publisher-{n + 1}"
        created = _vocabulary_time(n)
        name = _indexed_name([OUTLET_PLACES, OUTLET_NAMES], n)
        kind = PublisherKind.values[n % len(PublisherKind.values)]
        publisher_rows.append(
            (
                n + 1,
                created,
                created,
                name,
                slug,
                f"https://{slug}.example.com/",
                kind,
                COUNTRIES[n % len(COUNTRIES)],
                "en",
                f"{name}: a generated outlet.",
            )
        )
        publishers.append((n + 1, slug))
    sink.write(tables.publisher, publisher_rows)

    author_rows = []
    for n in range(sizes.authors):
        created = _vocabulary_time(n)
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        root = TOPIC_ROOTS[n % len(TOPIC_ROOTS)].lower()
        author_rows.append(
            (
                n + 1,
                created,
                created,
                name,
                f"{SLUG_PREFIX}author-{n + 1}",
                f"Writes about {root}.",
                "",
            )
        )
    sink.write(tables.author, author_rows)

    topic_rows, leaves = _topic_rows(sizes)
    sink.write(tables.topic, topic_rows)

    states, persons, organisations, actor_rows = [], [], [], []
    for n in range(sizes.actors):
        kind = _ACTOR_KINDS[n % 10]
        name = _actor_name(kind, n, rng)
        created = _vocabulary_time(n)
        actor_rows.append((n + 1, created, created, name, f"{SLUG_PREFIX}actor-{n + 1}", kind, ""))
        {Actor.Kind.STATE: states, Actor.Kind.PERSON: persons}.get(kind, organisations).append(
            _Actor(n + 1, name)
        )
    sink.write(tables.actor, actor_rows)

    vocabulary = _Vocabulary(
        publishers=publishers,
        author_ids=[row[0] for row in author_rows],
        leaf_topics=[(topic_id, aspect) for topic_id, aspect, _ in leaves],
        propositions_by_topic={topic_id: [] for topic_id, _, _ in leaves},
        proposition_ids=[],
        states=states,
        persons=persons,
        organisations=organisations,
        annotator_ids=_annotators(parameters.annotators),
    )
    _write_propositions(sink, tables, parameters, sizes, leaves, vocabulary)
    return vocabulary


def _write_propositions(sink, tables, parameters, sizes, leaves, vocabulary) -> None:
    """Each proposition sits under one leaf topic (dealt in turn), half also under its root."""
    rows, history, links = [], [], []
    for n in range(sizes.propositions):
        rng = Random(f"{parameters.seed}:proposition:{n}")
        topic_id, aspect, root_id = leaves[n % len(leaves)]
        state, state2 = rng.sample(vocabulary.states, 2)
        text = rng.choice(PROPOSITIONS).format(
            state=state.name,
            state2=state2.name,
            org=rng.choice(vocabulary.organisations).name,
            aspect=aspect,
            year=2024 + rng.randrange(5),
        )
        created = _vocabulary_time(n)
        row = (
            n + 1,
            created,
            created,
            1,
            _upper_first(text),
            f"{SLUG_PREFIX}proposition-{n + 1}",
            "",
            None,
        )
        rows.append(row)
        history.append(tables.proposition_history.record(row, created))
        links.append((len(links) + 1, n + 1, topic_id))
        if rng.random() < 0.5:
            links.append((len(links) + 1, n + 1, root_id))
        vocabulary.propositions_by_topic[topic_id].append(n + 1)
        vocabulary.proposition_ids.append(n + 1)
    sink.write(tables.proposition, rows)
    sink.write(tables.proposition_history, history)
    sink.write(tables.proposition_topic, links)


# --- Text -------------------------------------------------------------------------------------


@dataclass
class _Clause:
    text: str
    actors: list[int]


@dataclass
class _Sentence:
    """A sentence of one or more clauses, or a quotation attributed to a speaker."""

    clauses: list[_Clause]
    joiners: list[str] = field(default_factory=list)
    speaker: int | None = None
    attribution: str = ""

    def render(self) -> tuple[str, list[tuple[int, int]]]:
        """The text and the ranges of its clauses within it."""
        parts, ranges, position = [], [], 0
        if self.speaker is not None:
            parts.append("“")
            position = 1
        for n, clause in enumerate(self.clauses):
            if n:
                parts.append(self.joiners[n - 1])
                position += len(self.joiners[n - 1])
            parts.append(clause.text)
            ranges.append((position, position + len(clause.text)))
            position += len(clause.text)
        parts.append(self.attribution if self.speaker is not None else ".")
        return "".join(parts), ranges

    def candidates(self) -> list[int | None]:
        """What a claim may cover: the whole sentence (None) or one of several clauses."""
        if self.speaker is not None or len(self.clauses) == 1:
            return [None]
        return [None, *range(len(self.clauses))]


class _Writer:
    """Writes the text of one source with the actors of its cast."""

    def __init__(self, rng: Random, vocabulary: _Vocabulary) -> None:
        self.rng = rng
        self.states = rng.sample(vocabulary.states, min(4, len(vocabulary.states)))
        self.persons = rng.sample(vocabulary.persons, min(2, len(vocabulary.persons)))
        self.organisations = rng.sample(vocabulary.organisations, 2)
        self.places = [_place(rng) for _ in range(_CAST_SIZE - 4)]

    def _fill(self, template: str, mentioned: list[int]) -> str:
        """Fill a template's slots; actors named along the way are added to `mentioned`."""
        rng = self.rng
        values = {}
        for slot, pool in (
            ("state", self.states),
            ("state2", self.states),
            ("org", self.organisations),
        ):
            if "{" + slot + "}" in template:
                # Someone other than the actors already named, so no state sanctions itself.
                others = [actor for actor in pool if actor.id not in mentioned] or pool
                actor = rng.choice(others)
                mentioned.append(actor.id)
                values[slot] = actor.name
        if "{region}" in template:
            values["region"] = rng.choice(REGIONS)
        if "{sea}" in template:
            values["sea"] = rng.choice(SEAS)
        if "{place}" in template:
            values["place"] = rng.choice(self.places)
        if "{n}" in template:
            values["n"] = rng.randint(2, 40)
        if "{year}" in template:
            values["year"] = 2015 + rng.randrange(12)
        if "{month}" in template:
            values["month"] = rng.choice(MONTHS)
        return template.format(**values)

    def _clause(self) -> _Clause:
        rng, mentioned = self.rng, []
        shape = rng.randrange(5)
        thing = self._fill(rng.choice(OBJECTS), mentioned)
        if shape == 0:
            actor = rng.choice(self.organisations)
            subject = self._fill("{state}", mentioned)
            text = (
                f"the {actor.name} {rng.choice(REPORT_VERBS)} that {subject} "
                f"{rng.choice(MODALS)} {rng.choice(BASE_VERBS)} {thing}"
            )
            mentioned.insert(0, actor.id)
        elif shape == 1:
            subject = self._fill("officials in {state}", mentioned)
            text = f"{subject} {rng.choice(PAST_VERBS)} {thing}"
        elif shape == 2 and self.persons:
            person = rng.choice(self.persons)
            mentioned.insert(0, person.id)
            text = f"{person.name} {rng.choice(PAST_VERBS)} {thing}"
        else:
            subject = self._fill("{state}", mentioned)
            text = f"{subject} {rng.choice(PAST_VERBS)} {thing}"
        if rng.random() < 0.3:
            text += " " + self._fill(rng.choice(TAILS), mentioned)
        return _Clause(text, list(dict.fromkeys(mentioned)))

    def sentence(self) -> _Sentence:
        rng = self.rng
        if self.persons and rng.random() < _SPEECH_RATE:
            clause = self._clause()
            clause.text = _upper_first(clause.text)
            speaker = rng.choice(self.persons)
            role = self._fill(rng.choice(ROLES), [])
            return _Sentence(
                [clause], speaker=speaker.id, attribution=f",” said {speaker.name}, {role}."
            )
        clauses = [self._clause() for _ in range(rng.choice((1, 1, 2, 2, 3)))]
        clauses[0].text = _upper_first(clauses[0].text)
        joiners = [rng.choice(JOINERS) for _ in clauses[1:]]
        return _Sentence(clauses, joiners)

    def heading(self) -> str:
        return self._fill(self.rng.choice(HEADINGS), [])

    def title(self, aspect: str) -> str:
        first, second = self.rng.sample(self.states, 2)
        headline = self._fill(self.rng.choice(HEADLINES).replace("{aspect}", aspect), [])
        return _upper_first(f"{first.name} and {second.name}: {headline}")


# --- Sources ----------------------------------------------------------------------------------


@dataclass
class _Batch:
    """Rows of a batch of sources, table by table."""

    sources: list[tuple] = field(default_factory=list)
    source_history: list[tuple] = field(default_factory=list)
    authorships: list[tuple] = field(default_factory=list)
    claims: list[tuple] = field(default_factory=list)
    claim_history: list[tuple] = field(default_factory=list)
    claim_actors: list[tuple] = field(default_factory=list)
    claim_actor_history: list[tuple] = field(default_factory=list)
    stances: list[tuple] = field(default_factory=list)
    stance_history: list[tuple] = field(default_factory=list)


@dataclass
class _Counters:
    """Ids of the rows whose number per source varies; they run on from source to source."""

    authorship: int = 0
    claim_actor: int = 0
    stance: int = 0


@dataclass
class _Layout:
    """A body in the making: blocks are heading strings or lists of sentence indices."""

    sentences: list[_Sentence] = field(default_factory=list)
    blocks: list[str | list[int]] = field(default_factory=list)


def _draft_layout(writer: _Writer, rng: Random, claims_wanted: int) -> _Layout:
    """Paragraphs of 2–6 sentences with a heading every few, until the body is long enough
    and offers enough spans for the claims."""
    layout = _Layout()
    target = rng.randint(*_BODY_LENGTHS)
    length = candidates = 0
    until_heading = rng.randint(1, 3)
    while length < target or candidates < claims_wanted:
        if until_heading == 0:
            heading = writer.heading()
            layout.blocks.append(heading)
            length += len(heading) + 2
            until_heading = rng.randint(2, 4)
        paragraph = []
        for n in range(rng.randint(2, 6)):
            if n >= 2 and length >= target and candidates >= claims_wanted:
                break
            sentence = writer.sentence()
            paragraph.append(len(layout.sentences))
            layout.sentences.append(sentence)
            candidates += len(sentence.candidates())
            length += len(sentence.render()[0]) + 1
        if rng.random() < _ASIDE_RATE:
            paragraph.append(len(layout.sentences))
            layout.sentences.append(_Sentence([_Clause(rng.choice(ASIDES)[:-1], [])]))
        layout.blocks.append(paragraph)
        length += 1
        until_heading -= 1
    return layout


def _mark_search_terms(rng: Random, layout: _Layout, chosen, first_claim: int) -> None:
    """Append marker phrases to the clauses of chosen claims, at the documented rates."""
    for j, (s, c) in enumerate(chosen):
        sentence = layout.sentences[s]
        clause = sentence.clauses[c if c is not None else -1]
        terms = []
        if (first_claim + j) % _RARE_EVERY == 0:
            terms.append(SEARCH_TERMS["rare"])
        if rng.random() < _MEDIUM_RATE:
            terms.append(SEARCH_TERMS["medium"])
        if rng.random() < _COMMON_RATE:
            terms.append(SEARCH_TERMS["common"])
        for term in terms:
            clause.text += " " + rng.choice(_TERM_PHRASES[term])


def _render(layout: _Layout) -> tuple[str, list[dict], list[tuple[int, list[tuple[int, int]]]]]:
    """The body, its blocks as the importer writes them, and where each sentence landed."""
    parts, kinds, placed = [], [], [None] * len(layout.sentences)
    position = 0
    for block in layout.blocks:
        if parts:
            position += 2
        if isinstance(block, str):
            parts.append(block)
            kinds.append((HEADING, 2))
            position += len(block)
            continue
        texts = []
        for n, index in enumerate(block):
            if n:
                position += 1
            text, ranges = layout.sentences[index].render()
            placed[index] = (position, [(position + a, position + b) for a, b in ranges])
            texts.append(text)
            position += len(text)
        parts.append(" ".join(texts))
        kinds.append((PARAGRAPH, 0))
    body = "\n\n".join(parts)
    ranges = split_blocks(body)
    if len(ranges) != len(kinds):
        raise RuntimeError("generated body does not split into the blocks it was built from")
    blocks = [
        {"kind": kind, "level": level, "start": start, "end": end}
        for (kind, level), (start, end) in zip(kinds, ranges, strict=True)
    ]
    return body, blocks, placed


class _SourceMaker:
    """Turns a source index into the rows of the source, its claims and their stances."""

    def __init__(self, parameters: Parameters, vocabulary: _Vocabulary, tables: _Tables) -> None:
        self.parameters = parameters
        self.vocabulary = vocabulary
        self.tables = tables
        self.kinds = list(_KIND_WEIGHTS)
        self.kind_weights = list(_KIND_WEIGHTS.values())
        self.labels = list(_LABEL_WEIGHTS)
        self.label_weights = list(_LABEL_WEIGHTS.values())

    def make(self, i: int, batch: _Batch, counters: _Counters) -> None:
        parameters, vocabulary = self.parameters, self.vocabulary
        rng = Random(f"{parameters.seed}:{i}")
        topic_id, aspect = rng.choice(vocabulary.leaf_topics)
        pool = self._proposition_pool(rng, topic_id)
        writer = _Writer(rng, vocabulary)
        title = writer.title(aspect)

        layout = _draft_layout(writer, rng, parameters.claims_per_source)
        spans = [
            (s, c) for s, sentence in enumerate(layout.sentences) for c in sentence.candidates()
        ]
        chosen = rng.sample(spans, parameters.claims_per_source)
        _mark_search_terms(rng, layout, chosen, i * parameters.claims_per_source)
        body, blocks, placed = _render(layout)

        source_id = i + 1
        translated_from = rng.choice(TRANSLATED_FROM) if rng.random() < 0.08 else ""
        created = self._source_row(rng, i, title, body, blocks, translated_from, batch)
        self._authorships(rng, source_id, bool(translated_from), batch, counters)

        claims = []
        for s, c in chosen:
            sentence_start, clause_ranges = placed[s]
            sentence = layout.sentences[s]
            if c is None:
                start, end = sentence_start, sentence_start + len(sentence.render()[0])
                actors = [a for clause in sentence.clauses for a in clause.actors]
            else:
                start, end = clause_ranges[c]
                actors = sentence.clauses[c].actors
            claims.append((start, end, sentence, list(dict.fromkeys(actors))[:3]))
        claims.sort(key=lambda claim: (claim[0], claim[1]))
        first_id = i * parameters.claims_per_source + 1
        for j, (start, end, sentence, actors) in enumerate(claims):
            claim_created = created + timedelta(minutes=10 + j)
            self._claim(
                rng,
                first_id + j,
                source_id,
                body,
                start,
                end,
                sentence,
                actors,
                claim_created,
                batch,
                counters,
            )
            self._stances(rng, first_id + j, pool, claim_created, batch, counters)

    def _proposition_pool(self, rng: Random, topic_id: int) -> list[int]:
        """About six propositions of the source's topic, topped up from anywhere if it has
        fewer, so that each proposition is taken up by a handful of sources at any size."""
        own = self.vocabulary.propositions_by_topic[topic_id]
        pool = rng.sample(own, min(_POOL_SIZE, len(own)))
        everything = self.vocabulary.proposition_ids
        while len(pool) < min(_POOL_SIZE, len(everything)):
            extra = rng.choice(everything)
            if extra not in pool:
                pool.append(extra)
        return pool

    def _source_row(self, rng, i, title, body, blocks, translated_from, batch) -> datetime:
        vocabulary, seed = self.vocabulary, self.parameters.seed
        slug = f"{SLUG_PREFIX}{seed}-{i}"
        publisher = rng.choice(vocabulary.publishers) if rng.random() >= 0.05 else None
        host = f"{publisher[1]}.example.com" if publisher else "unattributed.example.org"
        day = rng.randrange(_PUBLICATION_DAYS)
        published_on = BASE_TIME.date() + timedelta(days=day) if rng.random() >= 0.05 else None
        created = BASE_TIME + timedelta(days=day, hours=rng.randint(1, 48), seconds=i % 3600)
        status = _status(i)
        published_at = (
            created + timedelta(hours=rng.randint(2, 30)) if status == "published" else None
        )
        provenance = {"generated": {"seed": seed, "index": i, "generator": GENERATOR_VERSION}}
        row = (
            i + 1,
            created,
            published_at or created,
            1,
            publisher[0] if publisher else None,
            title[:300],
            False,
            slug,
            f"https://{host}/articles/{slug}",
            published_on,
            "en",
            translated_from,
            body,
            hashlib.sha256(body.encode("utf-8")).hexdigest(),
            json.dumps(blocks),
            status,
            published_at,
            None,
            json.dumps(provenance),
            None,
            None,
        )
        batch.sources.append(row)
        batch.source_history.append(self.tables.source_history.record(row, created))
        return created

    def _authorships(self, rng: Random, source_id: int, translated: bool, batch, counters):
        """One or two authors in byline order, and a translator when the text was translated."""
        writers = rng.choice((1, 1, 2))
        people = rng.sample(self.vocabulary.author_ids, writers + translated)
        roles = [Authorship.Role.AUTHOR] * writers + [Authorship.Role.TRANSLATOR] * translated
        for order, (author_id, role) in enumerate(zip(people, roles, strict=True)):
            counters.authorship += 1
            batch.authorships.append((counters.authorship, source_id, author_id, role, order))

    def _claim(
        self,
        rng,
        claim_id,
        source_id,
        body,
        start,
        end,
        sentence,
        actors,
        created,
        batch: _Batch,
        counters: _Counters,
    ) -> None:
        anchor = make_anchor(body, start, end)
        if sentence.speaker is not None:
            kind, speaker = ClaimKind.FACTUAL, sentence.speaker
            attribution = ClaimAttribution.REPORTED
        else:
            kind, speaker = rng.choices(self.kinds, self.kind_weights)[0], None
            attribution = ClaimAttribution.OWN
        row = (
            claim_id,
            created,
            created,
            1,
            source_id,
            start,
            end,
            anchor.quote,
            anchor.prefix,
            anchor.suffix,
            kind,
            attribution,
            speaker,
            "",
            "anchored",
            None,
            None,
        )
        batch.claims.append(row)
        batch.claim_history.append(self.tables.claim_history.record(row, created))
        for actor_id in actors:
            counters.claim_actor += 1
            batch.claim_actors.append((counters.claim_actor, claim_id, actor_id))
            batch.claim_actor_history.append(
                (counters.claim_actor, claim_id, actor_id, claim_id, counters.claim_actor)
            )

    def _stances(self, rng, claim_id, pool, created, batch: _Batch, counters: _Counters) -> None:
        """One or two propositions per claim, read by one to all annotators, who mostly agree."""
        annotators = self.vocabulary.annotator_ids
        for proposition_id in rng.sample(pool, min(len(pool), rng.choice((1, 1, 2)))):
            agreed = rng.choices(self.labels, self.label_weights)[0]
            readers = rng.sample(annotators, rng.randint(1, len(annotators)))
            for k, annotator_id in enumerate(readers):
                label = agreed if rng.random() < _AGREEMENT else rng.choice(self.labels)
                counters.stance += 1
                stance_created = created + timedelta(seconds=30 * (k + 1))
                row = (
                    counters.stance,
                    stance_created,
                    stance_created,
                    1,
                    claim_id,
                    proposition_id,
                    label,
                    annotator_id,
                    "",
                    None,
                    False,
                )
                batch.stances.append(row)
                batch.stance_history.append(self.tables.stance_history.record(row, stance_created))


def _status(i: int) -> str:
    """One source in twenty is not published, alternately a draft and in review; source 3 is
    always one, so that even a small corpus has a draft to hide."""
    if i % 20 != 3:
        return Source.Status.PUBLISHED
    return Source.Status.DRAFT if (i // 20) % 2 == 0 else Source.Status.IN_REVIEW


def _write_batch(sink: _Sink, tables: _Tables, batch: _Batch) -> None:
    sink.write(tables.source, batch.sources)
    sink.write(tables.source_history, batch.source_history)
    sink.write(tables.authorship, batch.authorships)
    sink.write(tables.claim, batch.claims)
    sink.write(tables.claim_history, batch.claim_history)
    sink.write(tables.claim_actor, batch.claim_actors)
    sink.write(tables.claim_actor_history, batch.claim_actor_history)
    sink.write(tables.stance, batch.stances)
    sink.write(tables.stance_history, batch.stance_history)


# --- Entry points -----------------------------------------------------------------------------


def _batches(maker: _SourceMaker, sources: int, batch_size: int) -> Iterator[tuple[int, _Batch]]:
    """The rows of each batch of sources, with how many sources are done after it."""
    counters = _Counters()
    for first in range(0, sources, batch_size):
        batch, last = _Batch(), min(first + batch_size, sources)
        for i in range(first, last):
            maker.make(i, batch, counters)
        yield last, batch


def _ahead(items: Iterator, depth: int = 1) -> Iterator:
    """Yield from `items`, produced by a thread up to `depth` items ahead.

    Generating text is Python work and writing it is the database's, so the next batch is
    generated while the database digests the current one. The producer touches no database
    connection: Django's connections belong to the thread that opened them.
    """
    handoff: Queue = Queue(maxsize=depth)
    stop = Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((True, item)):
                    return
        except BaseException as error:  # handed to the consumer, which re-raises it
            put((False, error))
            return
        put((False, None))

    producer = Thread(target=produce, name="corpus-generator", daemon=True)
    producer.start()
    try:
        while True:
            more, item = handoff.get()
            if not more:
                if item is not None:
                    raise item
                return
            yield item
    finally:
        stop.set()
        producer.join()


def generate(
    sources: int,
    claims_per_source: int = DEFAULT_CLAIMS_PER_SOURCE,
    seed: int = 1,
    annotators: int = DEFAULT_ANNOTATORS,
    *,
    force: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[Progress], None] | None = None,
) -> Summary:
    """Replace the corpus with a generated one, in one transaction: all of it or nothing.

    Refuses (ForeignContentError) when the database holds content the generator did not make,
    unless `force` is given; see OWNERSHIP_RULE.
    """
    parameters = Parameters(sources, claims_per_source, seed, annotators)
    validate(parameters, batch_size)
    started = time.monotonic()
    tables = _Tables()
    with transaction.atomic():
        if not force:
            _refuse_foreign_content()
        sink = _sink()
        sink.clear(tables.cleared())
        vocabulary = _write_vocabulary(sink, tables, parameters)
        maker = _SourceMaker(parameters, vocabulary, tables)
        for done, batch in _ahead(_batches(maker, sources, batch_size)):
            _write_batch(sink, tables, batch)
            if progress is not None:
                elapsed = time.monotonic() - started
                claims_done = done * claims_per_source
                progress(Progress(done, sources, claims_done, parameters.claims, elapsed))
        sink.finish(tables.all())
        # The summaries the public pages rank propositions by, settled in one pass.
        rebuild_proposition_summaries()
    return Summary(parameters, dict(sink.counts), time.monotonic() - started)


def describe() -> Parameters | None:
    """The parameters of the generated corpus in the database, or None when it holds none, or
    holds other sources too, or not the whole of what a run wrote (a benchmark then knows it
    must generate again)."""
    generated = Source.objects.filter(provenance__has_key="generated")
    first = generated.order_by("pk").values_list("provenance", flat=True).first()
    if first is None or Source.objects.exclude(provenance__has_key="generated").exists():
        return None
    sources = generated.count()
    claims = Claim.objects.count()
    if claims % sources:
        return None
    annotators = get_user_model().objects.filter(username__startswith=ANNOTATOR_PREFIX).count()
    details = first["generated"]
    return Parameters(
        sources=sources,
        claims_per_source=claims // sources,
        seed=details.get("seed"),
        annotators=annotators,
        generator=details.get("generator"),
    )

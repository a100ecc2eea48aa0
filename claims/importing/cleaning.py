"""Turn a captured web article (plain text or Markdown) into the clean body claims index into.

Pure Python: no database. The output is the body, its layout (headings, paragraphs, list items as
code-point ranges of the body), what was removed and why, and an author bio if one was found.

Furniture rules come from two places: a few that hold for any captured page (comment sections,
view counters, republication credits, sign-up lines, author widgets) and the ones a manifest gives
for one file (image captions, bylines, a related-links block).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .inline import strip_inline_markdown

IMPORTER_VERSION = "1"

TEXT, MARKDOWN, HTML = "text", "markdown", "html"
FORMATS = (TEXT, MARKDOWN, HTML)

HEADING, PARAGRAPH, ITEM = "heading", "paragraph", "item"

# A line this short that does not end like a sentence reads as a heading in a plain-text capture.
_HEADING_MAX = 100
_SENTENCE_END = tuple('.!?…"”’)]')
_BULLET = re.compile(r"^\s*(?:[•▪●◦‣]|[-*+](?=\s))\s*")


@dataclass(frozen=True)
class Rule:
    """A furniture rule: what it matches, what it does, and why."""

    # "line": drop matching lines; "cut": drop from the first match to the end; "list": drop the
    # matching line and the list items or short lines that follow it (a block of links).
    action: str
    pattern: re.Pattern[str]
    reason: str

    def matches(self, line: str) -> bool:
        return self.pattern.fullmatch(line) is not None


def line_rule(text: str, reason: str) -> Rule:
    """Drop every line that reads exactly `text`."""
    return Rule("line", re.compile(re.escape(text)), reason)


def pattern_rule(pattern: str, reason: str) -> Rule:
    """Drop every line the regular expression matches in full."""
    return Rule("line", re.compile(pattern), reason)


def cut_rule(pattern: str, reason: str) -> Rule:
    """Drop the first line the expression matches in full, and everything after it."""
    return Rule("cut", re.compile(pattern), reason)


def list_rule(pattern: str, reason: str) -> Rule:
    """Drop the line the expression matches in full and the links listed under it."""
    return Rule("list", re.compile(pattern), reason)


_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DATE = (
    rf"(?:{_MONTH} \d{{1,2}},? \d{{4}}|\d{{1,2}} {_MONTH},? \d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}"
    r"|\d{1,2}/\d{1,2}/\d{2,4})"
)
_TIME = r"(?:,? (?:at )?\d{1,2}[:.]\d{2}(?: ?[ap]\.?m\.?)?(?: [A-Z]{2,4})?)?"
# A name as bylines print it: capitalised words, initials, particles (de, van, al-).
_NAME = r"[A-Z][\w'’.-]*(?: (?:[A-Z][\w'’.-]*|de|da|del|van|von|al|bin|ibn|la|le))*"
_SOCIAL = r"(?:Facebook|Twitter|X|LinkedIn|WhatsApp|Telegram|Reddit|Email|E-mail|Print|Copy link)"

GENERIC_RULES: tuple[Rule, ...] = (
    cut_rule(r"\d+ (?:thoughts?|comments?|responses?) on .*", "comment section"),
    cut_rule(
        r"(?:\d+ )?(?:Comments?|Responses?|Discussion)(?: \(\d+\))?:?"
        r"|Join the (?:discussion|conversation)\W*|Show comments|View comments",
        "comment section",
    ),
    cut_rule(r"About the authors?:?|About (?:the )?writer:?", "author bio"),
    pattern_rule(
        rf"(?:(?:Written|Posted|Reported) )?[Bb]y:? {_NAME}(?:,? (?:and|&) {_NAME})*"
        rf"(?:\s*[|,·•–-]\s*(?:{_DATE}{_TIME}|[\w ]{{1,40}}))?",
        "byline",
    ),
    pattern_rule(
        rf"(?:(?:Published|Posted|Updated|Last updated|First published)(?: on)?:? )?"
        rf"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,? )?{_DATE}{_TIME}"
        rf"(?:\s*[|·•–-]\s*(?:(?:Updated|Last updated):? )?{_DATE}{_TIME})?"
        r"(?:\s*[|·•–-]\s*\d+ min(?:ute)?s? read)?",
        "date line",
    ),
    pattern_rule(r"\d+ min(?:ute)?s? read", "reading time"),
    pattern_rule(
        rf"(?:Share(?: this(?: article| story| post| page)?)?|Follow us)(?: on)?:?"
        rf"(?:\s*(?:{_SOCIAL})[\s,|·•]*)*",
        "share or follow line",
    ),
    pattern_rule(
        rf"(?:Share on|Follow us on|Follow (?:\w+ )?on|Tweet|Like us on) ?(?:{_SOCIAL}|Instagram"
        rf"|YouTube|Bluesky|Mastodon)?(?:[\s,|·•]*(?:{_SOCIAL}|Instagram|YouTube|Bluesky))*\W*",
        "share or follow line",
    ),
    pattern_rule(rf"(?:{_SOCIAL}[\s,|·•]*){{2,}}", "share buttons"),
    list_rule(
        r"(?:Related(?: posts| articles| stories| reading| content)?|Read (?:more|also|next)"
        r"|You (?:may|might) also like|More (?:from|on) .{1,40}|Recommended(?: for you)?"
        r"|Most read|Popular(?: posts)?|Also on .{1,40}|Tags|Topics):?",
        "related-links list",
    ),
    pattern_rule(
        r"(?:Subscribe|Sign up|Register) (?:to|for) (?:our|the) .{0,60}(?:newsletter|briefing"
        r"|digest|updates|mailing list).*|Get (?:our|the) .{0,40}newsletter.*"
        r"|Enter your e-?mail(?: address)?.*|Never miss (?:a|an) .{1,40}",
        "newsletter prompt",
    ),
    pattern_rule(r"Leave a (?:Comment|Reply)", "comment form"),
    cut_rule(r"user placeholder", "author widget of the page"),
    pattern_rule(r"Read \d+ times\b.*", "view counter"),
    cut_rule(r"Visit also", "related-links block and everything after it"),
    cut_rule(r"Staff Publications", "list of the outlet's other publications"),
    pattern_rule(r"Source\s*»\s*\S.*", "republication credit (kept as the source's publisher)"),
    pattern_rule(r"Sign up for .*", "newsletter sign-up line"),
)


_ANY_GENERIC = re.compile("|".join(f"(?:{rule.pattern.pattern})" for rule in GENERIC_RULES))


@dataclass(frozen=True)
class BioRule:
    """A paragraph that describes the author: it moves to the author's record."""

    pattern: re.Pattern[str]
    author: str
    strip: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True)
class Removal:
    """One thing the cleaner took out of (or changed in) the text, and why."""

    reason: str
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"reason": self.reason, "text": self.text}


@dataclass
class Block:
    kind: str
    text: str
    level: int = 0


@dataclass
class Cleaned:
    body: str
    blocks: list[dict[str, int | str]]
    removed: list[Removal] = field(default_factory=list)
    bio: tuple[str, str] | None = None  # (author key, bio text)


class CleaningError(ValueError):
    """The text cannot become a source body (empty, only furniture…)."""


def decode(raw: bytes) -> str:
    """UTF-8 bytes to text with a leading byte-order mark dropped; anything else is refused."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CleaningError(
            f"not UTF-8 text (byte {error.start} is 0x{raw[error.start]:02x})"
        ) from None
    if "\x00" in text:
        # Plain text never holds NUL; a file that does is binary, or UTF-16 read as UTF-8.
        raise CleaningError(
            f"contains NUL characters (first at character {text.index(chr(0))}): "
            "not a plain-text file (binary, or UTF-16?)"
        )
    return text.removeprefix("\ufeff")


_SPACE_RUN = re.compile(r"[^\S\n]+")
# Unicode's control characters (category Cc: C0, DEL and C1) except tab and line feed.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def normalise(text: str) -> str:
    """NFC, LF line endings, one plain space for any run of spaces, no control characters.

    Captured pages mix in no-break and other Unicode spaces; they are made plain so that a quote
    typed or pasted by an editor matches the text. Quotes go through the same function.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text)
    return _SPACE_RUN.sub(" ", text)


def markdown_heading(line: str) -> tuple[int, str] | None:
    """``## Words ##`` → (2, "Words ##" without its closing marks); None if not a heading.

    One to six ``#`` and a space open a heading; trailing spaces and ``#`` close it. Read by
    hand rather than with a regular expression: a lazy body followed by optional closing marks
    backtracks over every run of ``#`` inside the line, quadratic in a hostile line.
    """
    level = len(line) - len(line.lstrip("#"))
    if not 1 <= level <= 6 or not line[level : level + 1].isspace():
        return None
    return level, line[level:].strip().rstrip("#").rstrip()


def _parse_lines(text: str, fmt: str) -> list[Block]:
    lines = [line for line in (raw.strip() for raw in text.split("\n")) if line]
    levels = [0] * len(lines)  # Markdown heading levels; 0: not a heading
    if fmt == MARKDOWN and lines:
        for index, line in enumerate(lines):
            heading = markdown_heading(line) if line.startswith("#") else None
            if heading:
                levels[index], lines[index] = heading
        # Markup never spans lines: every line loses it in one pass over all of them.
        lines = strip_inline_markdown("\n".join(lines)).split("\n")
    blocks: list[Block] = []
    for line, level in zip(lines, levels, strict=True):
        line = line.strip()
        if level:
            if line:
                blocks.append(Block(HEADING, line, level))
            continue
        bullet = _BULLET.match(line)
        if bullet and len(line) > bullet.end():
            blocks.append(Block(ITEM, line[bullet.end() :].strip()))
        elif line:
            blocks.append(Block(PARAGRAPH, line))
    return blocks


def _is_link_line(block: Block) -> bool:
    """A list item, or a short line that does not read as a sentence: a headline in a list."""
    return block.kind == ITEM or (
        block.kind == PARAGRAPH
        and len(block.text) <= _HEADING_MAX
        and not block.text.endswith(_SENTENCE_END)
    )


def _apply_rules(
    blocks: list[Block], rules: tuple[Rule, ...], removed: list[Removal]
) -> list[Block]:
    kept: list[Block] = []
    # The generic rules are tried together first (one expression for all of them): most lines
    # match none, and this runs for every line of a file of up to 5 MiB.
    generic = len(GENERIC_RULES) if rules[-len(GENERIC_RULES) :] == GENERIC_RULES else 0
    own = [(rule, rule.pattern.fullmatch) for rule in rules[: len(rules) - generic]]
    others = [(rule, rule.pattern.fullmatch) for rule in GENERIC_RULES] if generic else []
    # The lines of a removed list are gathered and joined once: adding each to the last removal
    # would copy the growing text again for every line.
    listed: list[str] = []

    def close_list() -> None:
        if listed:
            removed[-1] = Removal(removed[-1].reason, "\n".join(listed))
            listed.clear()

    for index, block in enumerate(blocks):
        text = block.text
        if listed and _is_link_line(block):
            listed.append(text)
            continue
        close_list()
        matched: Rule | None = None
        for rule, fullmatch in own:
            if fullmatch(text) is not None:
                matched = rule
                break
        if matched is None and others and _ANY_GENERIC.fullmatch(text) is not None:
            matched = next(rule for rule, fullmatch in others if fullmatch(text) is not None)
        if matched is None:
            kept.append(block)
        elif matched.action == "cut":
            tail = "\n".join(b.text for b in blocks[index:])
            removed.append(Removal(matched.reason, tail))
            break
        else:
            removed.append(Removal(matched.reason, text))
            if matched.action == "list":
                listed.append(text)
    close_list()
    return kept


def _take_bio(blocks: list[Block], bio: BioRule | None, removed: list[Removal]):
    if bio is None:
        return blocks, None
    for index, block in enumerate(blocks):
        if bio.pattern.match(block.text):
            text = block.text
            for strip in bio.strip:
                text = strip.sub("", text)
            text = re.sub(r"\s{2,}", " ", text).strip()
            removed.append(Removal("author bio: moved to the author's record", block.text))
            return blocks[:index] + blocks[index + 1 :], (bio.author, text)
    raise CleaningError(f"the author bio pattern {bio.pattern.pattern!r} matched no paragraph")


def _rejoin_broken(blocks: list[Block], removed: list[Removal]) -> list[Block]:
    """Join a paragraph that stops mid-sentence with the lower-case paragraph that continues it.

    Captures split a paragraph where an image or an advert stood; left alone, a sentence would be
    cut in two and no claim could quote it whole.
    """
    joined: list[Block] = []
    # The pieces of the last kept paragraph, joined once at the end: appending to one growing
    # string would copy it again for every piece (quadratic in a long run of fragments).
    pieces: list[str] = []
    length = 0
    for block in blocks:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and previous.kind == PARAGRAPH
            and block.kind == PARAGRAPH
            and length > _HEADING_MAX
            and not pieces[-1].endswith((*_SENTENCE_END, ":"))
            and block.text[:1].islower()
        ):
            removed.append(
                Removal(
                    "paragraph broken mid-sentence: rejoined",
                    f"…{_tail(pieces, 40)} ¶ {block.text[:40]}…",
                )
            )
            pieces.append(block.text)
            length += 1 + len(block.text)
        else:
            if pieces:
                joined[-1].text = " ".join(pieces)
            joined.append(block)
            pieces, length = [block.text], len(block.text)
    if pieces:
        joined[-1].text = " ".join(pieces)
    return joined


def _tail(pieces: list[str], size: int) -> str:
    """The last `size` characters of the pieces joined with spaces, reading only the last few."""
    taken: list[str] = []
    count = 0
    for piece in reversed(pieces):
        taken.append(piece)
        count += len(piece) + 1
        if count > size:
            break
    return " ".join(reversed(taken))[-size:]


def _classify_headings(blocks: list[Block]) -> None:
    """In plain text, a short line that does not end like a sentence is a heading."""
    for index, block in enumerate(blocks):
        if block.kind != PARAGRAPH or index == len(blocks) - 1:
            continue
        text = block.text
        if len(text) <= 60 and text.endswith(":"):
            block.kind, block.level = HEADING, 3
        elif len(text) <= _HEADING_MAX and not text.endswith((*_SENTENCE_END, ",", ";", ":")):
            block.kind, block.level = HEADING, 2


def clean(
    text: str,
    *,
    fmt: str = TEXT,
    rules: tuple[Rule, ...] = (),
    bio: BioRule | None = None,
    use_generic_rules: bool = True,
) -> Cleaned:
    """Clean one document. `rules` come from the manifest and run before the generic ones."""
    # HTML reaches the cleaner as the Markdown that claims.importing.html extracted from it.
    if fmt not in (TEXT, MARKDOWN):
        raise CleaningError(f"unknown format {fmt!r}; expected one of {TEXT}, {MARKDOWN}")
    text = normalise(text)
    if not text.strip():
        raise CleaningError("the file is empty")
    removed: list[Removal] = []
    blocks = _parse_lines(text, fmt)
    blocks, bio_found = _take_bio(blocks, bio, removed)
    blocks = _apply_rules(blocks, rules + (GENERIC_RULES if use_generic_rules else ()), removed)
    blocks = _rejoin_broken(blocks, removed)
    if fmt == TEXT:
        _classify_headings(blocks)
    while blocks and blocks[-1].kind == HEADING:
        removed.append(Removal("heading with nothing below it", blocks.pop().text))
    if not blocks:
        raise CleaningError("nothing is left once page furniture is removed")

    parts: list[str] = []
    layout: list[dict[str, int | str]] = []
    offset = 0
    for block in blocks:
        if parts:
            offset += 2  # the blank line between blocks
        layout.append(
            {
                "kind": block.kind,
                "level": block.level,
                "start": offset,
                "end": offset + len(block.text),
            }
        )
        parts.append(block.text)
        offset += len(block.text)
    return Cleaned(body="\n\n".join(parts), blocks=layout, removed=removed, bio=bio_found)

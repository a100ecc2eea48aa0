"""The corpus backup file: JSON Lines, optionally gzip-compressed, read and written as a stream.

Version 2 (written since backups had to scale past memory) is one JSON value per line::

    {"format": "geopolitics-claims-corpus", "version": 2, "exported_at": "…"}
    ["section", "users"]
    {"username": "curator", "first_name": "", "last_name": ""}
    ["section", "publishers"]
    {"id": 1, "name": "Fanack", …}
    …
    ["end", {"users": 1, "publishers": 5, …}]

Rows are objects, section markers and the closing line are arrays, so neither can be taken for
the other. The closing line carries the row count of every section: a file cut at a line
boundary (which gzip alone would not notice in an uncompressed file) is refused.

Version 1 (one JSON document holding every section as a list) is still read, whole: it was only
ever written for corpora small enough to hold in memory.

Reading counts the bytes *after* decompression and stops as soon as they pass the limit, so a
small compressed file cannot expand into an unbounded amount of work or memory; a single line
is never longer than `MAX_LINE_BYTES`.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import orjson

FORMAT = "geopolitics-claims-corpus"
VERSION = 2
READABLE_VERSIONS = (1, 2)
MAX_BYTES = 512 * 1024 * 1024
# The longest row: a source's body (at most the importer's 5 MiB file, cleaned) with its
# JSON escapes and the rest of the row.
MAX_LINE_BYTES = 64 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"


class CorpusError(Exception):
    """The file cannot be restored; nothing was written. The message names where and why."""


def _plain(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} cannot be written to a backup")


class BackupWriter:
    """Writes one line per call; compressed when the file name ends in ``.gz``."""

    def __init__(self, handle: IO[bytes]):
        self.handle = handle

    def line(self, value: Any) -> None:
        # orjson writes datetimes and dates as ISO 8601, and text as UTF-8 without escapes.
        self.handle.write(orjson.dumps(value, default=_plain, option=orjson.OPT_APPEND_NEWLINE))


def open_for_writing(path: Path, *, compress: bool) -> IO[bytes]:
    if compress:
        # Level 6 (gzip's own default) compresses a corpus nearly as well as 9, several times
        # faster.
        return gzip.open(path, "wb", compresslevel=6)
    return open(path, "wb")


class _CappedLines:
    """Lines of a (possibly gzip-compressed) file, refusing more than `limit` bytes in all."""

    def __init__(self, raw: IO[bytes], name: str, limit: int):
        magic = raw.peek(2)[:2] if hasattr(raw, "peek") else b""
        self.stream: IO[bytes] = gzip.GzipFile(fileobj=raw) if magic == _GZIP_MAGIC else raw
        self.name, self.limit = name, limit
        self.read_bytes = 0
        self.number = 0  # the line last read, counting from 1

    def readline(self) -> bytes:
        try:
            line = self.stream.readline(MAX_LINE_BYTES + 1)
        except EOFError:
            raise CorpusError(f"{self.name}: the compressed file is truncated") from None
        except (gzip.BadGzipFile, zlib.error) as error:
            raise CorpusError(f"{self.name}: not a readable gzip file ({error})") from None
        if not line:
            return line
        self.number += 1
        self.read_bytes += len(line)
        if self.read_bytes > self.limit:
            raise CorpusError(
                f"{self.name}: larger than {self.limit // 1024 // 1024} MiB once decompressed "
                f"(stopped at line {self.number}); raise the limit to restore it on purpose"
            )
        if len(line) > MAX_LINE_BYTES:
            raise CorpusError(
                f"{self.name}: line {self.number} is longer than "
                f"{MAX_LINE_BYTES // 1024 // 1024} MiB"
            )
        return line

    def rest(self) -> bytes:
        """Everything left, within the limit (for a version 1 document, read whole)."""
        chunks = []
        while line := self.readline():
            chunks.append(line)
        return b"".join(chunks)


# Sections added after the first backups of either version were written: a backup made before
# has none, which means none of those rows.
LATER_SECTIONS = frozenset(
    {
        "silences",
        "silence_history",
        "assignments",
        "assignment_history",
        "adjudications",
        "adjudication_history",
    }
)


def _upgrade_version_1(document: dict) -> None:
    """Give the claims of a version 1 backup an attribution, as migration 0011 did for stored
    ones: the retired "reported speech" kind becomes a reported factual claim."""
    for section in ("claims", "claim_history"):
        rows = document.get(section)
        if not isinstance(rows, list):
            continue  # reported as a bad section when it is read
        for row in rows:
            if not isinstance(row, dict) or "attribution" in row:
                continue
            if row.get("kind") == "reported_speech":
                row["kind"], row["attribution"] = "factual", "reported"
            else:
                row["attribution"] = "own"


def _decode(line: bytes, where: str) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError as error:
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as bad:
            raise CorpusError(f"{where}: not UTF-8 text (byte {bad.start})") from None
        raise CorpusError(f"{where}: not valid JSON ({error})") from None


def _is_later_marker(marker: Any, section: str) -> bool:
    """Whether `marker` (where `section` was expected) is the end or another section: the
    section is then absent. Another section out of its place is refused when it is read."""
    if not isinstance(marker, list) or not marker:
        return False
    return marker[0] == "end" or (marker[0] == "section" and marker[1:] != [section])


class BackupReader:
    """Reads a backup section by section, in the order the file must hold them.

    `sections(names)` yields (section name, rows) with rows an iterator of (index, row); each
    section must be read to its end before the next one starts. `finish()` checks the closing
    line. Version 1 documents come through the same interface.
    """

    def __init__(self, raw: IO[bytes], name: str, *, limit: int = MAX_BYTES):
        self.name = name
        self.lines = _CappedLines(raw, name, limit)
        self.pending: Any = None
        self.document: dict | None = None  # a version 1 backup, read whole
        self.absent: set[str] = set()  # later sections a backup written before them lacks
        first = self.lines.readline()
        if not first.strip():
            raise CorpusError(f"{name}: the file is empty")
        header = None
        with contextlib.suppress(orjson.JSONDecodeError):
            header = orjson.loads(first)
        if isinstance(header, dict) and header.get("format") == FORMAT:
            version = header.get("version")
            if version not in READABLE_VERSIONS:
                raise CorpusError(
                    f"{name}: backup format version {version!r}; this site reads versions "
                    f"{' and '.join(map(str, READABLE_VERSIONS))}"
                )
            if version == 2:
                self.header = header
                return
        self.document = self._version_1(first + self.lines.rest())
        self.header = self.document

    def _version_1(self, raw: bytes) -> dict:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise CorpusError(f"{self.name}: not UTF-8 text (byte {error.start})") from None
        try:
            document = json.loads(text)
        except RecursionError:
            raise CorpusError(f"{self.name}: nested too deeply to be a corpus backup") from None
        except json.JSONDecodeError as error:
            raise CorpusError(
                f"{self.name}: not valid JSON (line {error.lineno}, column {error.colno}: "
                f"{error.msg})"
            ) from None
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise CorpusError(f'{self.name}: not a corpus backup (no "format": "{FORMAT}")')
        if document.get("version") != 1:
            raise CorpusError(
                f"{self.name}: backup format version {document.get('version')!r}; this site "
                f"reads versions {' and '.join(map(str, READABLE_VERSIONS))}"
            )
        _upgrade_version_1(document)
        return document

    @property
    def version(self) -> int:
        return self.header["version"]

    def _where(self) -> str:
        return f"{self.name}: line {self.lines.number}"

    def _next(self) -> Any:
        if self.pending is not None:
            value, self.pending = self.pending, None
            return value
        line = self.lines.readline()
        if not line:
            raise CorpusError(f"{self.name}: the file ends early (after line {self.lines.number})")
        return _decode(line, self._where())

    def rows(self, section: str) -> Iterator[tuple[int, dict]]:
        """The rows of `section`, which must come next in the file."""
        if self.document is not None:
            yield from self._document_rows(section)
            return
        marker = self._next()
        if section in LATER_SECTIONS and _is_later_marker(marker, section):
            # Written before this section existed: none of its rows.
            self.pending = marker
            self.absent.add(section)
            return
        if marker != ["section", section]:
            raise CorpusError(f"{self._where()}: expected the {section!r} section here")
        index = 0
        while True:
            value = self._next()
            if isinstance(value, list):
                self.pending = value
                return
            if not isinstance(value, dict):
                raise CorpusError(f"{self._where()}: {section} rows must be objects")
            yield index, value
            index += 1

    def _document_rows(self, section: str) -> Iterator[tuple[int, dict]]:
        if section not in self.document and section in LATER_SECTIONS:
            return
        if section not in self.document:
            raise CorpusError(f"{self.name}: missing section {section!r}")
        rows = self.document[section]
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise CorpusError(f"{self.name}: {section} must be a list of objects")
        yield from enumerate(rows)

    def finish(self, counts: dict[str, int], sections: list[str]) -> None:
        """Check that the file ends as it should: the closing line, with these row counts."""
        if self.document is not None:
            expected = {"format", "version", "exported_at", *sections}
            unknown = sorted(set(self.document) - expected)
            if unknown:
                raise CorpusError(f"{self.name}: unknown section {unknown[0]!r}")
            return
        closing = self._next()
        if not (isinstance(closing, list) and len(closing) == 2 and closing[0] == "end"):
            if isinstance(closing, list) and closing[:1] == ["section"]:
                raise CorpusError(f"{self._where()}: unknown section {closing[1:]!r}")
            raise CorpusError(f"{self._where()}: expected the end of the backup")
        counts = {section: n for section, n in counts.items() if section not in self.absent}
        if closing[1] != counts:
            raise CorpusError(
                f"{self._where()}: the file says it holds {closing[1]!r} rows, but held {counts!r}"
            )
        if self.lines.readline().strip():
            raise CorpusError(f"{self.name}: there is more after the end of the backup")

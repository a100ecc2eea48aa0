"""A progress display for long commands (export, rebuild, worker jobs), without a dependency.

On a terminal one line is rewritten in place: count, total, percentage, rate and time left.
When the output is a file or a pipe (a log), a plain line is written every `every` seconds
instead, so that logs show progress without thousands of carriage returns.
"""

from __future__ import annotations

import time
from typing import TextIO


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class TerminalProgress:
    """Counts steps towards an optional total and shows it on `stream` (usually stderr)."""

    def __init__(
        self, stream: TextIO, label: str, total: int | None = None, *, every: float | None = None
    ) -> None:
        self.stream = stream
        self.label = label
        self.total = total
        self.done = 0
        self.interactive = bool(getattr(stream, "isatty", lambda: False)())
        self.every = every if every is not None else (0.2 if self.interactive else 10.0)
        self.started = time.monotonic()
        self._last = 0.0

    def line(self) -> str:
        """The current state as text."""
        elapsed = time.monotonic() - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        parts = [f"{self.label}: {self.done:,}"]
        if self.total:
            percent = min(100.0, self.done * 100 / self.total)
            parts[0] += f" / {self.total:,} ({percent:.1f}%)"
            if rate and self.done < self.total:
                parts.append(f"about {_duration((self.total - self.done) / rate)} left")
        parts.append(f"{rate:,.0f}/s")
        parts.append(f"{_duration(elapsed)} elapsed")
        return ", ".join(parts)

    def step(self, count: int = 1) -> None:
        """Count `count` more steps; redraw if it is time."""
        self.done += count
        now = time.monotonic()
        if now - self._last >= self.every:
            self._last = now
            self._show()

    def _show(self) -> None:
        if self.interactive:
            self.stream.write("\r\x1b[K" + self.line())
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    def finish(self) -> None:
        """Show the final state and end the line."""
        self._show()
        if self.interactive:
            self.stream.write("\n")
            self.stream.flush()

"""The cleaner takes time linear in its input, hostile or not, and says what it always said.

The reference for what it says is the set of regular expressions it used to run (below): they
are right on every input but rescan the rest of a line from each unclosed mark. Random lines over
the characters that matter must come out of the linear scanner exactly as out of them. Growth is
checked by cleaning each hostile pattern at n and 8n characters: linear work grows about 8×,
the old quadratic work grew 64×; the limit (24×) leaves room for a busy machine.
"""

import random
import re
import time

import pytest

from bench.cleaning import PATTERNS, hostile
from claims.importing import cleaning
from claims.importing.cleaning import clean, markdown_heading
from claims.importing.inline import strip_inline_markdown


def reference_strip(text: str) -> str:
    """The old expressions, line by line (markup never spans lines)."""
    return "\n".join(reference_strip_line(line) for line in text.split("\n"))


def reference_strip_line(line: str) -> str:
    line = re.sub(r"!\[([^\]]*)\]\([^)]*\)", "", line)
    line = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", line)
    line = re.sub(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", r"\2", line)
    line = re.sub(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])", r"\1", line)
    line = re.sub(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])", r"\1", line)
    return re.sub(r"`([^`]+)`", r"\1", line)


REFERENCE_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")

# Marks, brackets, words, spaces (ASCII and not), a non-ASCII letter, a digit, line breaks.
ALPHABET = "**__[]()!`` aa\u00a0é1#\n"


def random_lines(seed: int, count: int, longest: int) -> list[str]:
    generator = random.Random(seed)
    return [
        "".join(generator.choices(ALPHABET, k=generator.randint(0, longest))) for _ in range(count)
    ]


@pytest.mark.parametrize("seed", range(4))
def test_inline_markup_comes_out_as_the_regular_expressions_left_it(seed):
    for text in random_lines(seed, 5000, 24):
        assert strip_inline_markdown(text) == reference_strip(text), repr(text)


def test_many_lines_at_once_come_out_as_each_line_alone():
    # A long text of short lines: a mark's partner is often on a later line, where it must
    # not be taken.
    text = "\n".join(random_lines(11, 3000, 16))
    assert strip_inline_markdown(text) == reference_strip(text)


@pytest.mark.parametrize(
    "line",
    [
        "Russia is **supporting Azerbaijan's plan** now.",
        "See [the report](https://example.org) and *this* `term` here.",
        "![chart](c.png) [a [nested] link](u) __strong__ and _em_ snake_case ***x***",
        "[[(]] **a**b** *a*b* _a_b_ ``code`` `a``b` [](x) [x]( ![](y) ![z](",
    ],
)
def test_written_examples_agree_with_the_regular_expressions(line):
    assert strip_inline_markdown(line) == reference_strip(line)


def test_headings_are_read_as_the_regular_expression_read_them():
    generator = random.Random(7)
    lines = [
        "#" * generator.randint(0, 8) + text.strip()
        for text in random_lines(7, 5000, 12)
        if "\n" not in text
        if text.strip()
    ]
    lines += ["# Title", "## Strategic Divergence ##", "####### seven", "#no space", "# C#"]
    for line in lines:
        reference = REFERENCE_HEADING.match(line)
        expected = (len(reference.group(1)), reference.group(2)) if reference else None
        assert markdown_heading(line) == expected, repr(line)


def test_a_paragraph_broken_into_many_fragments_is_joined_once():
    text = "A" * 120 + "\n" + "\n".join(f"fragment {n}" for n in range(500))
    result = clean(text)
    assert result.body == " ".join(["A" * 120] + [f"fragment {n}" for n in range(500)])
    rejoined = [r.text for r in result.removed if r.reason.startswith("paragraph broken")]
    assert len(rejoined) == 500
    assert rejoined[0] == f"…{'A' * 40} ¶ fragment 0…"
    # The context quoted is the end of the paragraph as joined so far, as before.
    so_far = "A" * 120 + " fragment 0 fragment 1"
    assert rejoined[2] == f"…{so_far[-40:]} ¶ fragment 2…"


def cpu_seconds(text: str) -> float:
    """The least CPU time of three runs: other processes on the machine add to wall time."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        clean(text, fmt=cleaning.MARKDOWN)
        best = min(best, time.process_time() - started)
    return best


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_hostile_markdown_takes_linear_time(name):
    small, large = hostile(name, 16 * 1024), hostile(name, 8 * 16 * 1024)
    ratio = cpu_seconds(large) / max(cpu_seconds(small), 1e-4)
    assert ratio < 24, f"{name}: 8× the input took {ratio:.0f}× the time"


def test_the_old_expressions_fail_the_growth_check():
    # The check can fail: the reference expressions, on one unclosed mark per word, grow ~64×.
    line = hostile("unclosed ** in one line", 2 * 1024)
    longer = hostile("unclosed ** in one line", 8 * 2 * 1024)

    def seconds(text):
        started = time.process_time()
        reference_strip(text)
        return time.process_time() - started

    assert seconds(longer) / max(seconds(line), 1e-4) > 24

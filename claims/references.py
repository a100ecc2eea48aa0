"""What a reference to another row may look like, checked before any query runs.

Clients name related rows by slug (a claim's `source`, `speaker` and `actors`; a stance's
`proposition`; a proposition's `topics`; query filters) or by id (a stance's `claim`; admin
links). A value that cannot be one — not a string, a NUL byte that PostgreSQL refuses to
compare, a slug longer than any stored, an id that is not a whole number in range — is the
client's mistake and must be answered 400 naming the field, not reach the database and fail
there as a 500. The API's serializers and filters and the admin all call these two functions.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

# Every slug column of the app is a SlugField(max_length=200).
MAX_SLUG_LENGTH = 200
# Ids are 64-bit columns; 18 digits always fit.
MAX_ID = 10**18 - 1


def check_slug(value: Any) -> str:
    """`value` as a slug reference, or ValidationError saying what is wrong with it."""
    if not isinstance(value, str):
        raise ValidationError("Expected a slug (a string).", code="not_a_slug")
    if "\x00" in value:
        raise ValidationError("NUL characters are not allowed.", code="nul")
    if len(value) > MAX_SLUG_LENGTH:
        raise ValidationError(
            f"No slug is longer than {MAX_SLUG_LENGTH} characters.", code="too_long"
        )
    return value


def check_id(value: Any) -> int:
    """`value` as a row id (a whole number from 1 to MAX_ID; digits in a string are fine),
    or ValidationError."""
    if isinstance(value, bool):
        raise ValidationError("Expected an id (a whole number).", code="not_an_id")
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 18:
            raise ValidationError("Expected an id (a whole number).", code="not_an_id")
        value = int(text)
    if not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise ValidationError(f"Expected an id from 1 to {MAX_ID}.", code="not_an_id")
    return value

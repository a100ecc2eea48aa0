"""The editors' admin: one module per part of the domain."""

from . import annotations, assignments, login, sources, vocabulary  # noqa: F401  (registers the ModelAdmins)

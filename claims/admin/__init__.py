"""The editors' admin: one module per part of the domain."""

from . import annotations, jobs, login, sources, vocabulary  # noqa: F401  (registers the ModelAdmins)

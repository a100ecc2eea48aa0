"""The editors' admin: one module per part of the domain."""

from . import (  # noqa: F401  (registers the ModelAdmins)
    annotations,
    assignments,
    jobs,
    login,
    sources,
    vocabulary,
)

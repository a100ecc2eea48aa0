"""The domain model: who publishes (Publisher, Author), what they publish (Source), the
vocabulary claims are tied to (Topic, Actor, Proposition) and the annotations (Claim, Stance)."""

from .annotations import AnchorState, Claim, ClaimAttribution, ClaimKind, Stance, StanceLabel
from .caching import PropositionSummary, PublicVersion
from .sources import Author, Authorship, Publisher, Source
from .vocabulary import Actor, Proposition, Topic

__all__ = [
    "Actor",
    "AnchorState",
    "Author",
    "Authorship",
    "Claim",
    "ClaimAttribution",
    "ClaimKind",
    "Proposition",
    "PropositionSummary",
    "PublicVersion",
    "Publisher",
    "Source",
    "Stance",
    "StanceLabel",
    "Topic",
]

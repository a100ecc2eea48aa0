"""The domain model: who publishes (Publisher, Author), what they publish (Source), the
vocabulary claims are tied to (Topic, Actor, Proposition) and the annotations (Claim, Stance)."""

from .annotations import AnchorState, Claim, ClaimAttribution, ClaimKind, Stance, StanceLabel
from .assignments import Adjudication, Assignment, AssignmentStatus
from .caching import AnswerVersion, PropositionSummary, PublicVersion
from .jobs import Job, JobKind, JobStatus
from .reviews import ReviewAction, ReviewEvent
from .silences import ConfirmedSilence
from .sources import Author, Authorship, Publisher, Source
from .vocabulary import Actor, Proposition, PropositionVector, Topic

__all__ = [
    "Actor",
    "Adjudication",
    "AnchorState",
    "AnswerVersion",
    "Assignment",
    "AssignmentStatus",
    "Author",
    "Authorship",
    "Claim",
    "ClaimAttribution",
    "ClaimKind",
    "ConfirmedSilence",
    "Job",
    "JobKind",
    "JobStatus",
    "Proposition",
    "PropositionSummary",
    "PropositionVector",
    "PublicVersion",
    "Publisher",
    "ReviewAction",
    "ReviewEvent",
    "Source",
    "Stance",
    "StanceLabel",
    "Topic",
]

"""What the public page cache keys on: one row that every edit of public material changes."""

from django.db import models

from claims.positions import POSITION_LABELS


class PublicVersion(models.Model):
    """A single row, changed by database triggers in the same transaction as every insert,
    update or delete on a table the public pages read (migration 0007).

    Because the change is part of the editing transaction, a reader sees a new value exactly
    when the edit becomes visible, whichever process or cache backend serves it. `counter`
    only counts; `stamp` is a fresh random number on every change, so that the value of an
    edit that was rolled back is never seen again with different content behind it.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    counter = models.BigIntegerField(default=0)
    stamp = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="public_version_single_row")
        ]

    def __str__(self) -> str:
        return f"public version {self.counter}"


class AnswerVersion(models.Model):
    """A version per group of public answers ("tag"), changed by a publication for the answers
    it changes only (`claims.freshness`), in the publishing transaction itself: `stamp` for a
    publication, `withdrawn` for a withdrawal.

    A cached answer is keyed by the public version (every other edit of public material) and
    by the stamps of its tags, so publishing a source leaves the pages about unrelated topics,
    propositions and sources (and their ETags) as they were. A tag that was never bumped has no
    row and counts as 0.
    """

    tag = models.CharField(max_length=200, primary_key=True)
    # Moved by a publication, which only adds to what the tag's answers show.
    stamp = models.BigIntegerField(default=0)
    # Moved by a withdrawal (unpublishing, deleting a published source), which takes material
    # off them: an answer from before one is never served again (claims.pagecache).
    withdrawn = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"answer version {self.tag}"


class PropositionSummary(models.Model):
    """How the published sources stand on one proposition, kept so that pages can rank and
    count propositions without reading every stance.

    The numbers are those `claims.positions` gives (each source's position from its own quotes,
    then the distribution and the divergence of those positions); `sources` also counts the
    sources that address the proposition only in others' voices. Triggers (migrations 0008
    and 0016) add one to `marks` whenever a stance, the source or attribution of a claim or
    the status of a source changes in a way that may move them; `claims.summaries.refresh`
    recomputes the rows whose `settled` is behind `marks` before a page reads them, and
    `claims.summaries.rebuild` recomputes every row after a bulk load.
    """

    proposition = models.OneToOneField(
        "claims.Proposition", on_delete=models.CASCADE, primary_key=True, related_name="summary"
    )
    sources = models.PositiveIntegerField(default=0, help_text="Published sources addressing it.")
    supports = models.PositiveIntegerField(default=0)
    # Database defaults too: the triggers insert rows naming only the columns of 0008.
    leans_supports = models.PositiveIntegerField(default=0, db_default=0)
    mixed = models.PositiveIntegerField(default=0)
    leans_contradicts = models.PositiveIntegerField(default=0, db_default=0)
    contradicts = models.PositiveIntegerField(default=0)
    neutral = models.PositiveIntegerField(default=0)
    divergence = models.FloatField(default=0.0)
    marks = models.BigIntegerField(default=0)
    settled = models.BigIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(
                fields=["-divergence", "-sources"],
                name="summary_contested_idx",
                condition=models.Q(sources__gt=0),
            ),
            models.Index(
                fields=["proposition"],
                name="summary_pending_idx",
                condition=models.Q(marks__gt=models.F("settled")),
            ),
        ]

    def __str__(self) -> str:
        return f"summary of proposition {self.proposition_id}"

    def counts(self) -> dict[str, int]:
        """Sources per position label, in `positions.POSITION_LABELS` order."""
        return {label: getattr(self, label) for label in POSITION_LABELS}

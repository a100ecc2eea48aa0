"""What the public page cache keys on: one row that every edit of public material changes."""

from django.db import models


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

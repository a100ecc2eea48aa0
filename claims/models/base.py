"""Pieces every model of the app shares."""

from django.db import models


class TimestampedModel(models.Model):
    """Adds `created` and `modified`, kept by the database layer on every save."""

    created = models.DateTimeField(auto_now_add=True, db_index=False)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(models.Model):
    """Adds a `version` counter, raised on every save, that forms send back so that a save based
    on stale data can be refused instead of silently overwriting someone else's edit."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            self.version = (self.version or 0) + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)


def choices_check(
    field: str, choices: type[models.TextChoices], name: str
) -> models.CheckConstraint:
    """A named CHECK that keeps a TextChoices column inside its choices at the database level."""
    return models.CheckConstraint(condition=models.Q(**{f"{field}__in": choices.values}), name=name)

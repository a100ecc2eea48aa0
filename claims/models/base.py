"""Pieces every model of the app shares."""

from django.db import models


class TimestampedModel(models.Model):
    """Adds `created` and `modified`, kept by the database layer on every save."""

    created = models.DateTimeField(auto_now_add=True, db_index=False)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def choices_check(
    field: str, choices: type[models.TextChoices], name: str
) -> models.CheckConstraint:
    """A named CHECK that keeps a TextChoices column inside its choices at the database level."""
    return models.CheckConstraint(condition=models.Q(**{f"{field}__in": choices.values}), name=name)

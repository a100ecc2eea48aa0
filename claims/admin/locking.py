"""No silent overwrites: a form remembers the version it was opened at and refuses to save over
a newer one.

The admin's change view runs in a transaction, and the check locks the row (SELECT … FOR UPDATE
on PostgreSQL; SQLite serialises writers), so two saves cannot both pass it. The refused editor
sees what the other person changed, keeps everything they typed, and may save again knowingly.
"""

from __future__ import annotations

from django import forms
from django.utils.html import format_html, format_html_join

from claims.concurrency import lock_row


def changes_since(instance, version: int) -> list[tuple[str, str, str]]:
    """(field, then, now) for every field changed since `version`, from the history."""
    history = instance.history.all()
    then = history.filter(version=version).order_by("-history_date").first()
    now = history.order_by("-history_date").first()
    if then is None or now is None or then.pk == now.pk:
        return []
    delta = now.diff_against(then)
    return [
        (
            str(instance._meta.get_field(change.field).verbose_name),
            _short(change.old),
            _short(change.new),
        )
        for change in delta.changes
        if change.field not in {"version", "modified"}
    ]


def _short(value) -> str:
    text = "—" if value in (None, "") else str(value)
    return text if len(text) <= 120 else text[:119] + "…"


class VersionedForm(forms.ModelForm):
    """Add to a ModelForm of a VersionedModel."""

    # Reverting to an old version from the history is a deliberate overwrite: no check then.
    check_version = True

    # Not named "version": the model's own field of that name is not editable.
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        data = super().clean()
        instance = self.instance
        if instance.pk is None or not self.check_version:
            return data
        submitted = data.get("seen_version")
        current = lock_row(instance, "version")
        if submitted is None or current is None or submitted == current:
            return data
        changes = changes_since(instance, submitted)
        # Let a second, deliberate save go through: the editor has now seen the other edit.
        self.data = self.data.copy()
        self.data[self.add_prefix("seen_version")] = str(current)
        details = (
            format_html(
                "<ul>{}</ul>",
                format_html_join("", "<li><strong>{}</strong>: {} → {}</li>", changes),
            )
            if changes
            else ""
        )
        raise forms.ValidationError(
            format_html(
                "Someone else saved this {} after you opened it (version {} → {}). Your edits "
                "were not saved and are still below. What they changed:{}Save again to replace "
                "their version with yours, or reload the page to start from theirs.",
                instance._meta.verbose_name,
                submitted,
                current,
                details,
            ),
            code="stale",
        )

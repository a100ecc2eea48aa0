"""No silent overwrites: a form remembers the version it was opened at and refuses to save over
a newer one.

The admin's change view runs in a transaction, and the check locks the row (SELECT … FOR UPDATE
on PostgreSQL; SQLite serialises writers), so two saves cannot both pass it
(claims.annotating.check_version). The refused editor keeps everything they typed and sees,
field by field, what the other person changed (word by word for long texts). Where the two
differ, saving again asks which to keep for each such field — theirs or mine — so that no
change is dropped without someone choosing to.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from claims.annotating import Deleted, FieldChange, VersionConflict, check_version
from claims.wordiff import word_diff

THEIRS, MINE = "theirs", "mine"
SHORT = 120


def diff_html(then, now) -> SafeString:
    """What changed in one field: "then → now" for short values, word by word for long ones."""
    old = "" if then is None else str(then)
    new = "" if now is None else str(now)
    if len(old) <= SHORT and len(new) <= SHORT and "\n" not in old + new:
        return format_html("{} → {}", old or "—", new or "—")
    parts = []
    for piece in word_diff(old, new):
        if piece.kind == "removed":
            parts.append(format_html("<del>{}</del>", piece.text))
        elif piece.kind == "added":
            parts.append(format_html("<ins>{}</ins>", piece.text))
        elif piece.kind == "gap":
            parts.append(format_html('<span class="diff-gap">[… {} …]</span>', piece.text))
        else:
            parts.append(format_html("{}", piece.text))
    return format_html('<div class="word-diff">{}</div>', mark_safe("".join(parts)))


def _display(form, change: FieldChange):
    """A stored value as the editor knows it: a name for a reference, not its number."""
    field = form.fields.get(change.name)
    values = []
    for value in (change.then, change.now):
        if isinstance(field, forms.ModelMultipleChoiceField) and isinstance(value, list):
            related = field.queryset.model._meta.model_name
            ids = [v.get(related) if isinstance(v, dict) else v for v in value]
            names = [str(o) for o in field.queryset.model._default_manager.filter(pk__in=ids)]
            values.append(", ".join(sorted(names)) or "—")
        elif isinstance(field, forms.ModelChoiceField) and value not in (None, ""):
            found = field.queryset.model._default_manager.filter(pk=value).first()
            values.append(str(found) if found is not None else value)
        else:
            values.append(value)
    return values


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
        # The version the save may be written at, once clean() has checked it.
        self.checked_version: int | None = None
        self.conflict: VersionConflict | None = None
        self.deleted: Deleted | None = None

    def clean(self):
        data = super().clean()
        instance = self.instance
        if instance.pk is None:
            return data
        if not self.check_version:
            self.checked_version = None
            return data
        submitted = data.get("seen_version")
        try:
            self.checked_version = check_version(instance, submitted)
        except Deleted as gone:
            self.deleted = gone
            raise forms.ValidationError(gone.message, code="deleted") from None
        except VersionConflict as conflict:
            self.conflict = conflict
            self.checked_version = self._resolve(conflict, data)
        return data

    # --- a save based on an older version ---------------------------------------------------

    def _contested(self, conflict: VersionConflict) -> list[FieldChange]:
        """The fields the other editor changed that this form shows."""
        return [
            change
            for change in conflict.changes
            if change.name in self.fields and change.name != "seen_version"
        ]

    def _resolve(self, conflict: VersionConflict, data: dict) -> int:
        """Accept the save when every field both editors changed differently has been given a
        choice on this version; take theirs where chosen. Otherwise refuse, showing the diff."""
        contested = self._contested(conflict)
        # Fields where what was typed differs from what is stored now: someone must choose.
        open_fields = [c for c in contested if self[c.name]._has_changed()]
        answered = self.data.get(self.add_prefix("resolve_version")) == str(conflict.current)
        choices = {c.name: self.data.get(self.add_prefix(f"resolve-{c.name}")) for c in open_fields}
        # Nothing they changed would be lost (none of it is shown here, or what was typed is
        # what they saved): the save goes through as a merge.
        settled = not open_fields or (
            answered and all(choice in {THEIRS, MINE} for choice in choices.values())
        )
        if settled:
            for name, choice in choices.items():
                if choice == THEIRS:
                    self._take_theirs(name, data)
            return conflict.current
        raise forms.ValidationError(
            self._conflict_message(conflict, contested, open_fields, answered), code="stale"
        )

    def _take_theirs(self, name: str, data: dict) -> None:
        field = self.fields[name]
        stored = self.initial.get(name)
        data[name] = field.clean(_as_data(stored))
        self.data = self.data.copy()
        key = self.add_prefix(name)
        raw = _as_data(stored)
        if isinstance(raw, list):
            self.data.setlist(key, [str(v) for v in raw])
        else:
            self.data[key] = "" if raw is None else str(raw)
        self.__dict__.pop("changed_data", None)

    def _conflict_message(self, conflict, contested, open_fields, answered) -> SafeString:
        open_names = {c.name for c in open_fields}
        rows = []
        for change in contested:
            then, now = _display(self, change)
            choice = ""
            if change.name in open_names:
                name = self.add_prefix(f"resolve-{change.name}")
                picked = self.data.get(name)
                choice = format_html(
                    '<span class="resolve" role="radiogroup" aria-label="Keep for {}">'
                    '<label><input type="radio" name="{}" value="{}"{}> Take theirs</label> '
                    '<label><input type="radio" name="{}" value="{}"{}> Keep mine</label></span>',
                    change.label,
                    name,
                    THEIRS,
                    mark_safe(" checked") if picked == THEIRS else "",
                    name,
                    MINE,
                    mark_safe(" checked") if picked == MINE else "",
                )
            else:
                choice = format_html('<span class="resolve">{}</span>', "same as yours")
            rows.append((change.label, diff_html(then, now), choice))
        details = (
            format_html(
                '<ul class="conflict-changes">{}</ul>',
                format_html_join("", "<li><strong>{}</strong>: {} {}</li>", rows),
            )
            if rows
            else format_html("{}", " They changed nothing this form shows.")
        )
        ask = (
            "Choose, for each field you both changed, whose version to keep, and save again."
            if open_fields
            else "Save again to save your edits over their version."
        )
        if answered and open_fields:
            ask = "Choose “Take theirs” or “Keep mine” for every field listed, then save again."
        return format_html(
            "Someone else saved this {} after you opened it (version {} → {}). Your edits were "
            "not saved and are still below. What they changed:{}{}"
            '<input type="hidden" name="{}" value="{}">',
            conflict.instance._meta.verbose_name,
            conflict.seen,
            conflict.current,
            details,
            ask,
            self.add_prefix("resolve_version"),
            conflict.current,
        )


def _as_data(value):
    """A value from model_to_dict as a form would post it."""
    if isinstance(value, (list, tuple)):
        return [getattr(v, "pk", v) for v in value]
    return getattr(value, "pk", value)


class VersionedBulkActions:
    """Bulk deletion from a changelist acts on the rows as the list showed them: every row
    carries its version (`seen_marker`), the confirmation page is based on those versions, and
    the deletion on what the confirmation page showed. A row someone changed meanwhile stops
    the whole batch, which says which rows and asks for a fresh look."""

    def seen_marker(self, obj) -> SafeString:
        return format_html('<input type="hidden" name="seen-{}" value="{}">', obj.pk, obj.version)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            func, name, description = actions["delete_selected"]
            actions["delete_selected"] = (_checked(func), name, description)
        return actions


def _checked(action):
    def checked(modeladmin, request, queryset):
        key = f"bulk-seen-{modeladmin.opts.label_lower}"
        confirming = "post" in request.POST
        if confirming:
            seen = request.session.get(key, {})
        else:
            seen = {k[5:]: v for k, v in request.POST.items() if k.startswith("seen-")}
        with transaction.atomic():
            rows = modeladmin.model._default_manager.filter(pk__in=queryset.values("pk"))
            if confirming:
                rows = rows.select_for_update(of=("self",))
            current = dict(rows.order_by().values_list("pk", "version"))
            stale = sorted(
                pk for pk, version in current.items() if seen.get(str(pk)) != str(version)
            )
            if stale:
                modeladmin.message_user(
                    request,
                    f"Nothing was deleted: {len(stale)} of the selected "
                    f"{modeladmin.opts.verbose_name_plural} changed since the list showed them "
                    f"(#{', #'.join(str(pk) for pk in stale[:10])}). Look at them again.",
                    messages.ERROR,
                )
                return None
            if not confirming:
                request.session[key] = {str(pk): str(version) for pk, version in current.items()}
            return action(modeladmin, request, queryset)

    checked.__name__ = action.__name__
    checked.short_description = getattr(action, "short_description", None)
    checked.allowed_permissions = getattr(action, "allowed_permissions", ())
    return checked

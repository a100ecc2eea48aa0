"""A claim deleted while someone was editing it: say who deleted it and when, keep what was
typed, and offer to bring the claim back with those edits."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from claims import annotating
from claims.models import Claim

# Posted values that say how to save, not what was typed.
NOT_TYPED = {"csrfmiddlewaretoken", "restore-claim", "_save", "_continue", "_addanother"}


def deleted_on_post(request, object_id) -> annotating.Deleted | None:
    """The deletion of the claim a change form posts to, when it is gone."""
    if request.method != "POST" or request.POST.get("restore-claim"):
        return None
    if not str(object_id).isdigit() or Claim.objects.filter(pk=object_id).exists():
        return None
    return annotating.deletion_of(Claim, int(object_id), user=request.user)


def typed_values(post) -> list[tuple[str, str]]:
    """Every posted (name, value), to be sent again unchanged."""
    return [(name, value) for name in post if name not in NOT_TYPED for value in post.getlist(name)]


def deleted_claim_page(model_admin, request, object_id, deleted: annotating.Deleted):
    """409: the claim is gone. The page keeps the typed values in hidden fields, lists the
    ones worth reading, and offers to restore the claim and save them."""
    post = request.POST
    shown = [
        (label, post.get(name))
        for name, label in (
            ("quote", "Quote"),
            ("start", "Start"),
            ("end", "End"),
            ("kind", "Kind"),
            ("attribution", "Attribution"),
            ("note", "Note"),
        )
        if post.get(name)
    ]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Claim._meta,
        "title": "This claim was deleted",
        "deleted": deleted,
        "typed": typed_values(post),
        "shown": shown,
        "action": request.get_full_path(),
        "can_restore": request.user.has_perm("claims.add_claim"),
    }
    return TemplateResponse(request, "admin/claims/claim/deleted.html", context, status=409)


def restore_for_edit(request, object_id):
    """Bring the claim back before the posted edits are saved on it; a response when that
    cannot be done, None when it was."""
    if not request.user.has_perm("claims.add_claim"):
        raise PermissionDenied
    if Claim.objects.filter(pk=object_id).exists():
        return None  # someone restored it meanwhile: the edits go on the claim as it is
    try:
        annotating.restore_claim(claim_id=int(object_id), user=request.user)
    except annotating.AnnotationError as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(reverse("admin:claims_claim_changelist"))
    messages.info(request, "The claim was restored, with the stances deleted with it.")
    return None

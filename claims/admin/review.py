"""The review screens of the admin: the reviewers' queue, and the buttons of a source's change
page that move it through the workflow (each a POST handled by `claims.publishing`)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from claims import publishing
from claims.models import Source
from claims.references import check_id
from claims.reviewing import review_queue

MOVES = {
    "submit": (publishing.submit_for_review, "Submitted for review."),
    "publish": (publishing.publish_source, "Published."),
    "unpublish": (publishing.unpublish_source, "Unpublished: back to draft."),
    "return": (publishing.return_to_editor, "Returned to the editor: back to draft."),
    "restore": (publishing.restore_source, "Restored as a draft, with its claims and stances."),
}


class SourceMoveView:
    """POST /admin/claims/source/<id>/review/: `move` (submit, publish, unpublish, return,
    restore) with a `note` (required to return)."""

    def __init__(self, model_admin) -> None:
        self.model_admin = model_admin

    def __call__(self, request, object_id: str):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            check_id(object_id)
        except ValidationError:
            raise Http404("No such source.") from None
        source = get_object_or_404(Source.all_objects, pk=object_id)
        # The permission to change sources at all: a published source's content is read-only
        # (has_change_permission with the source says no), but unpublishing it is a move, which
        # claims.publishing allows or refuses by who asks.
        if not self.model_admin.has_change_permission(request):
            raise PermissionDenied
        move = request.POST.get("move", "")
        note = request.POST.get("note", "")
        if move not in MOVES:
            messages.error(request, f"move: unknown move {move!r}.")
            return self._back(source)
        function, done = MOVES[move]
        try:
            if move == "return":
                function(source=source, by=request.user, comment=note)
            else:
                function(source=source, by=request.user, note=note)
        except publishing.NotAllowed as error:
            messages.error(request, str(error))
        except publishing.WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"“{source.title}”: {done}")
        return self._back(source)

    @staticmethod
    def _back(source: Source):
        if source.is_deleted:
            return HttpResponseRedirect(reverse("admin:claims_source_history", args=[source.pk]))
        return HttpResponseRedirect(reverse("admin:claims_source_change", args=[source.pk]))


class ReviewQueueView:
    """/admin/claims/source/review-queue/: what waits for review, since when, from whom."""

    template = "admin/claims/source/review_queue.html"

    def __init__(self, model_admin) -> None:
        self.model_admin = model_admin

    def __call__(self, request):
        if not self.model_admin.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.model_admin.admin_site.each_context(request),
            "opts": Source._meta,
            "title": "Review queue",
            "entries": review_queue(),
            "may_publish": publishing.may_publish(request.user),
        }
        return TemplateResponse(request, self.template, context)

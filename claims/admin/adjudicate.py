"""The adjudication screen: every reader's claims on a double-read source, unit by unit, side by
side, with the reviewer's decision on each (claims.adjudicating does the writing).

Served by SourceAdmin.get_urls() at /admin/claims/source/<id>/adjudicate/. Plain form posts with
CSRF protection; no script, so the strict Content-Security-Policy holds.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from claims import adjudicating
from claims.models import Adjudication, Source

FIELDS = ("span", "kind", "attribution", "stances")


def _cells(unit: adjudicating.UnitView, annotators: list, body: str) -> list[dict]:
    """One cell per reader: their readings in the unit, each field marked where readers differ."""
    described = {}
    for who in annotators:
        readings = unit.readings.get(who, [])
        described[who] = {
            "span": tuple((r.start, r.end) for r in readings),
            "kind": tuple(r.kind for r in readings),
            "attribution": tuple(r.attribution for r in readings),
            "stances": tuple(tuple(sorted(r.stances.items())) for r in readings),
        }
    # Once decided, one reading is left: the others' absence is the decision, not a difference.
    differs = {
        field: not unit.settled and len({d[field] for d in described.values()}) > 1
        for field in FIELDS
    }
    return [
        {
            "annotator": who,
            "readings": [
                {
                    "reading": r,
                    "quote": body[r.start : r.end],
                    "stances": sorted(r.stances.items()),
                }
                for r in unit.readings.get(who, [])
            ],
            "differs": differs,
        }
        for who in annotators
    ]


class AdjudicationScreen:
    """GET shows the units; POST carries one decision: accept, accept-edit, no-claim, merge."""

    template = "admin/claims/source/adjudicate.html"

    def __init__(self, model_admin) -> None:
        self.model_admin = model_admin

    def __call__(self, request, object_id: str):
        if not request.user.has_perm("claims.adjudicate_source"):
            raise PermissionDenied
        source = get_object_or_404(Source, pk=object_id)
        if request.method == "POST":
            return self.post(request, source)
        return self.render(request, source)

    def render(self, request, source: Source):
        disagreements_only = request.GET.get("show") == "disagreements"
        annotators = adjudicating.annotators_of(source)
        names = dict(
            get_user_model().objects.filter(pk__in=annotators).values_list("pk", "username")
        )
        units = adjudicating.units_of(source)
        shown = [
            {
                "unit": unit,
                "cells": _cells(unit, annotators, source.body),
                "id": f"unit-{unit.start}-{unit.end}",
            }
            for unit in units
            if not (disagreements_only and (unit.agreed or unit.settled))
        ]
        decisions = (
            Adjudication.objects.filter(source=source)
            .select_related("decided_by", "accepted_annotator")
            .order_by("-decided_at", "-pk")
        )
        context = {
            **self.model_admin.admin_site.each_context(request),
            "opts": Source._meta,
            "title": f"Adjudicate “{source.title}”",
            "source": source,
            "annotators": [(pk, names.get(pk, pk)) for pk in annotators],
            "units": shown,
            "total": len(units),
            "pending": sum(1 for unit in units if not unit.settled),
            "agreed": sum(1 for unit in units if unit.agreed and not unit.settled),
            "disagreements_only": disagreements_only,
            "decisions": decisions,
            "ready": adjudicating.readers_done(source),
        }
        return TemplateResponse(request, self.template, context)

    def post(self, request, source: Source):
        action = request.POST.get("action", "")
        start, end = request.POST.get("start", ""), request.POST.get("end", "")
        annotator = request.POST.get("annotator", "")
        url = reverse("admin:claims_source_adjudicate", args=[source.pk])
        if request.POST.get("show") == "disagreements":
            url += "?show=disagreements"
        try:
            if action == "merge":
                done = adjudicating.merge_agreed(source=source, by=request.user)
                messages.success(request, f"{len(done)} agreed unit(s) merged.")
                return HttpResponseRedirect(url)
            if not (start.isdigit() and end.isdigit()):
                messages.error(request, "No unit given; nothing was changed.")
                return HttpResponseRedirect(url)
            span = {"start": int(start), "end": int(end)}
            if action == "no-claim":
                adjudicating.no_claim(source=source, by=request.user, **span)
                messages.success(request, "Decided: no claim here.")
            elif action in ("accept", "accept-edit") and annotator.isdigit():
                record = adjudicating.accept(
                    source=source,
                    annotator=int(annotator),
                    by=request.user,
                    edited=action == "accept-edit",
                    **span,
                )
                messages.success(request, "Reading accepted.")
                kept = record.kept.order_by("start", "pk").first()
                if action == "accept-edit" and kept is not None:
                    edit = reverse("admin:claims_source_annotate", args=[source.pk])
                    return HttpResponseRedirect(f"{edit}?claim={kept.pk}#claim-{kept.pk}")
            else:
                messages.error(request, "Unknown decision; nothing was changed.")
        except adjudicating.AdjudicationError as error:
            messages.error(request, str(error))
        return HttpResponseRedirect(url)

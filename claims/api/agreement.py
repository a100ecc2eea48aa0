"""Agreement between readers, for editors and reviewers: the figures of the admin's agreement
pages (claims.agreement_reports), as JSON."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from claims import agreement_reports as reports
from claims.agreement import Figure, Report
from claims.models import Source

from .comparison import StrictQueryMixin
from .permissions import sees_drafts


def _figure(figure: Figure) -> dict:
    def rounded(value):
        return None if value is None else round(value, 4)

    return {
        "value": rounded(figure.value),
        "low": rounded(figure.low),
        "high": rounded(figure.high),
        "units": figure.units,
        "verdict": figure.verdict,
    }


def _report(report: Report, *, spans: bool = True) -> dict:
    data = {"stance": _figure(report.stance), "units": report.units}
    if spans:
        data |= {
            "proposition": _figure(report.proposition),
            "kind": _figure(report.kind),
            "unitizing": _figure(report.unitizing),
            "span_f1": None if report.span_f1 is None else round(report.span_f1, 4),
            "kappa": None if report.kappa is None else round(report.kappa, 4),
        }
    return data


FIGURE = inline_serializer(
    "AgreementFigure",
    {
        "value": serializers.FloatField(allow_null=True),
        "low": serializers.FloatField(allow_null=True),
        "high": serializers.FloatField(allow_null=True),
        "units": serializers.IntegerField(),
        "verdict": serializers.ChoiceField(
            choices=["reliable", "tentative", "unreliable", "undefined"]
        ),
    },
)


class AgreementView(StrictQueryMixin, APIView):
    """Agreement between readers over the readings they handed in: Krippendorff's α (stance,
    proposition, kind, code points) with a 95 % bootstrap interval and a verdict (reliable from
    0.800, tentative from 0.667), span F1 and Cohen's κ. With `source`: that source and its
    disagreements; without: per source, reader pair, proposition and topic. Editors and
    reviewers only."""

    allowed = frozenset({"source"})

    @extend_schema(
        summary="Agreement between readers (editors and reviewers)",
        parameters=[
            OpenApiParameter("source", OpenApiTypes.STR, description="Source slug."),
        ],
        responses=inline_serializer(
            "Agreement",
            {
                "source": serializers.CharField(required=False),
                "readers": serializers.ListField(child=serializers.CharField(), required=False),
                "figures": serializers.DictField(required=False),
                "disagreements": serializers.ListField(
                    child=serializers.DictField(), required=False
                ),
                "sources": serializers.ListField(child=serializers.DictField(), required=False),
                "pairs": serializers.ListField(child=serializers.DictField(), required=False),
                "propositions": serializers.ListField(
                    child=serializers.DictField(), required=False
                ),
                "topics": serializers.ListField(child=serializers.DictField(), required=False),
            },
        ),
    )
    def get(self, request):
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        if not sees_drafts(request.user):
            raise PermissionDenied("Agreement figures are for editors and reviewers.")
        self.check_params(request)
        slug = request.query_params.get("source", "").strip()
        if slug:
            source = get_object_or_404(Source, slug=slug)
            item = reports.handed_in(sources=[source.pk]).get(source.pk)
            if item is None:
                return Response(
                    {"source": slug, "readers": [], "figures": None, "disagreements": []}
                )
            return Response(
                {
                    "source": slug,
                    "readers": [item.names[pk] for pk in item.annotators],
                    "figures": _report(reports.source_report(item)),
                    "disagreements": [
                        {"start": d.start, "end": d.end, "quote": d.quote, "what": d.what}
                        for d in reports.disagreements(item, source.body)
                    ],
                }
            )
        items = reports.handed_in()
        return Response(
            {
                "sources": [
                    {
                        "source": item.slug,
                        **_report(reports.source_report(item, samples=reports.OVERVIEW_SAMPLES)),
                    }
                    for item in items.values()
                ],
                "pairs": [
                    {"readers": list(names), **_report(report)}
                    for names, report in reports.pair_reports(items)
                ],
                "propositions": [
                    {"proposition": slug, **_report(report, spans=False)}
                    for slug, report in reports.proposition_reports(items)
                ],
                "topics": [
                    {"topic": name, **_report(report, spans=False)}
                    for name, report in reports.topic_reports(items)
                ],
            }
        )

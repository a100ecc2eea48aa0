"""Routes of /api/v1/."""

from django.urls import path, re_path
from rest_framework.routers import DefaultRouter

from . import comparison, exports, position_exports, views

router = DefaultRouter()
router.APIRootView = views.APIRootView
router.register("publishers", views.PublisherViewSet, basename="publisher")
router.register("authors", views.AuthorViewSet, basename="author")
router.register("sources", views.SourceViewSet, basename="source")
router.register("topics", views.TopicViewSet, basename="topic")
router.register("actors", views.ActorViewSet, basename="actor")
router.register("propositions", views.PropositionViewSet, basename="proposition")
router.register("claims", views.ClaimViewSet, basename="claim")
router.register("stances", views.StanceViewSet, basename="stance")

urlpatterns = [
    path("compare/matrix/", comparison.MatrixView.as_view(), name="compare-matrix"),
    path("compare/sources/", comparison.SourcesView.as_view(), name="compare-sources"),
    path("annotations/", exports.AnnotationCollectionView.as_view(), name="annotations"),
    re_path(
        rf"^annotations/(?P<pk>{views.ID_PATTERN})/$",
        exports.AnnotationView.as_view(),
        name="annotation-detail",
    ),
    path(
        "exports/annotations.jsonld",
        exports.AnnotationExportView.as_view(),
        name="export-annotations",
    ),
    path("exports/claims.csv", exports.ClaimsCsvView.as_view(), name="export-claims-csv"),
    path(
        "exports/positions.csv",
        position_exports.PositionsCsvView.as_view(),
        name="export-positions-csv",
    ),
    *router.urls,
]

"""Who may do what through the API: the same model permissions as in the admin."""

from rest_framework.permissions import SAFE_METHODS, DjangoModelPermissions


class ReadPublishedWriteWithModelPerms(DjangoModelPermissions):
    """Anyone may read (what they may see is decided by the view's queryset); writes need an
    authenticated user holding the model's add/change/delete permission."""

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        if getattr(view, "queryset", None) is None and not hasattr(view, "get_queryset"):
            # Endpoints without a model (comparisons, exports) only read: there is no model
            # permission to check, and the view itself answers 405 to any other method.
            return True
        return super().has_permission(request, view)


def sees_drafts(user) -> bool:
    """Editors and reviewers (anyone who may view sources in the admin) also see drafts."""
    return bool(user and user.is_authenticated and user.has_perm("claims.view_source"))

"""Public pages."""

app_name = "claims"

urlpatterns: list = []

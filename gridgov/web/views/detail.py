"""Web pages: detail (being built)."""

urlpatterns: list = []

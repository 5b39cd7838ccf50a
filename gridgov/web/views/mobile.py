"""Web pages: mobile (being built)."""

urlpatterns: list = []

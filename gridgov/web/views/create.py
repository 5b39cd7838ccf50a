"""Web pages: create (being built)."""

urlpatterns: list = []

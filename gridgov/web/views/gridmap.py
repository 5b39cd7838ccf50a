"""Web pages: gridmap (being built)."""

urlpatterns: list = []

"""The root urls plus the assessment pages, until the root urlconf includes them itself."""

from django.urls import include, path

from gridgov.urls import urlpatterns as root

_included = any(getattr(p, "namespace", None) == "assessment" for p in root)
urlpatterns = root if _included else [path("assessment/", include("gridgov.assessment.urls")), *root]

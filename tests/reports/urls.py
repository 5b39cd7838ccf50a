"""The root routes plus the reports app, as the lead will include it."""

from django.urls import include, path

from gridgov.urls import urlpatterns as root

urlpatterns = [path("reports/", include("gridgov.reports.urls")), *root]

"""Routes of the reports app (included under /reports/ by the root urls)."""

from django.urls import path

from gridgov.reports import views

app_name = "reports"
urlpatterns = [path("", views.download, name="download")]

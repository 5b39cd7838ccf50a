"""URL routes of the notification centre (under /notifications/)."""

from django.urls import path

from gridgov.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.centre, name="centre"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("preferences/", views.preferences, name="preferences"),
    path("<int:notification_id>/read/", views.mark_read, name="read"),
    path("<int:notification_id>/open/", views.open_ticket, name="open"),
]

"""URL routes of this app (under /supervision/)."""

from django.urls import path

from gridgov.supervision import views

app_name = "supervision"
urlpatterns = [
    path("ticket/<int:ticket_id>/urge/", views.urge, name="urge"),
    path("ticket/<int:ticket_id>/supervise/", views.supervise, name="supervise"),
    path("ticket/<int:ticket_id>/end/", views.end, name="end"),
]

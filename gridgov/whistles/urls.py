"""URL routes of this app (under /whistles/)."""

from django.urls import path

from gridgov.whistles import views

app_name = "whistles"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/", views.new_matter, name="new"),
    path("ticket/<int:ticket_id>/blow/", views.blow, name="blow"),
    path("<int:whistle_id>/close/", views.close, name="close"),
    path("summons/<int:summons_id>/", views.summons_page, name="summons"),
    path("summons/<int:summons_id>/checkin/", views.check_in, name="checkin"),
    path("summons/<int:summons_id>/done/", views.finish, name="done"),
]

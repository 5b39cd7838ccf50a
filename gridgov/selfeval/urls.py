"""Routes of the self-evaluation pages; the root urls include them under /selfeval/."""

from django.urls import path

from gridgov.selfeval import views

app_name = "selfeval"
urlpatterns = [
    path("", views.evaluation_list, name="list"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/save/", views.save, name="save"),
    path("<int:pk>/copy/", views.copy, name="copy"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/live/", views.live_panel, name="live"),
    path("<int:pk>/refresh/", views.refresh, name="refresh"),
    path("<int:pk>/indicators/<int:row_pk>/override/", views.override, name="override"),
    path("<int:pk>/indicators/<int:row_pk>/restore/", views.restore, name="restore"),
    path("<int:pk>/draft/", views.draft, name="draft"),
    path("<int:pk>/check/", views.check, name="check"),
    path("<int:pk>/export/<str:fmt>/", views.export, name="export"),
    path("<int:pk>/import/", views.import_form, name="import"),
    path("<int:pk>/import/upload/", views.import_xlsx, name="import_upload"),
]

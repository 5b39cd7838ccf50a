"""URL routes of the 12345 adapter, under /interop/12345/."""

from django.urls import path

from gridgov.interop.hotline12345 import views

app_name = "hotline12345"
urlpatterns = [
    path("orders", views.orders, name="orders"),
]

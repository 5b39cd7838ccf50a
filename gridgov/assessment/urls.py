"""Routes of the assessment pages; the root urls include them under /assessment/."""

from django.urls import path

from gridgov.assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.run_list, name="runs"),
    path("compute/", views.compute, name="compute"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/publish/", views.publish, name="publish"),
    path("runs/<int:pk>/pay/", views.pay_run, name="pay_run"),
    path("awards/", views.awards, name="awards"),
    path("awards/<int:budget_id>/pay/", views.record_payment, name="record_payment"),
]

"""Login, logout and password change with Django's own views and our templates."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(template_name="web/password.html",
                                                             success_url=reverse_lazy("web:password_done")), name="password"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(template_name="web/password_done.html"), name="password_done"),
]

"""Root URLs. Every URL here or in an app is listed in that app's permission table."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from accounts.forms import LoginForm
from segrate_compliance import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("health/", views.HealthView.as_view(), name="health"),
    path(
        "accesso/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("uscita/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/modifica/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/modifica/fatto/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password/recupero/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/recupero/inviato/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/recupero/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/recupero/completato/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("lingua/", set_language, name="set_language"),
    path("", include("accounts.urls")),
    path("servizi/", include("services.urls")),
    path("archivio/", include("archive.urls")),
    path("budget/", include("budgets.urls")),
    path("reclami/", include("complaints.urls")),
    path("notifiche/", include("notifications.urls")),
    path("admin/", admin.site.urls),
]

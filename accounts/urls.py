from django.urls import path

from accounts import mfa_views, views

app_name = "accounts"

urlpatterns = [
    path("registro-attivita/", views.AuditLogView.as_view(), name="audit_event_list"),
    # Second factor (accounts/mfa.py).
    path("accesso/verifica/", mfa_views.VerifyView.as_view(), name="mfa_verify"),
    path("accesso/verifica/attivazione/", mfa_views.EnrolView.as_view(), name="mfa_enrol"),
    path(
        "accesso/verifica/codici-di-recupero/",
        mfa_views.RecoveryCodesView.as_view(),
        name="mfa_recovery_code_list",
    ),
    path("sicurezza/", mfa_views.SecurityView.as_view(), name="mfa_security"),
    path(
        "sicurezza/nuovi-codici-di-recupero/",
        mfa_views.RecoveryCodesRegenerateView.as_view(),
        name="mfa_recovery_regenerate",
    ),
    path("ruoli/da-confermare/", views.RoleRequestListView.as_view(), name="role_request_list"),
    path(
        "ruoli/da-confermare/<int:pk>/",
        views.RoleRequestDetailView.as_view(),
        name="role_request_detail",
    ),
    path(
        "ruoli/da-confermare/<int:pk>/conferma/",
        views.RoleRequestConfirmView.as_view(),
        name="role_request_confirm",
    ),
    path(
        "ruoli/da-confermare/<int:pk>/rifiuta/",
        views.RoleRequestRefuseView.as_view(),
        name="role_request_refuse",
    ),
    path(
        "attivazione/completata/",
        views.ActivationCompleteView.as_view(),
        name="activation_complete",
    ),
    path(
        "attivazione/<uidb64>/<token>/", views.ActivationView.as_view(), name="activation_confirm"
    ),
]

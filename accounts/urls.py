from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("registro-attivita/", views.AuditLogView.as_view(), name="audit_log"),
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
    path("attivazione/<uidb64>/<token>/", views.ActivationView.as_view(), name="activate"),
]

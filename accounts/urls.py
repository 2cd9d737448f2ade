from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("registro-attivita/", views.AuditLogView.as_view(), name="audit_log"),
]

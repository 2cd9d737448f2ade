from django.urls import path

from archive import views

app_name = "archive"

urlpatterns = [
    path("", views.DocumentListView.as_view(), name="document_list"),
    path("nuovo/", views.DocumentCreateView.as_view(), name="document_create"),
    path("<int:pk>/", views.DocumentDetailView.as_view(), name="document_detail"),
    path("<int:pk>/estrazione/", views.ExtractionStateView.as_view(), name="extraction_state"),
    path("integrita/", views.IntegrityView.as_view(), name="integrity"),
    path("<int:pk>/elimina/", views.DocumentDeleteView.as_view(), name="document_delete"),
    path("<int:pk>/nuova-versione/", views.VersionCreateView.as_view(), name="version_create"),
    path("richieste/", views.AccessRequestListView.as_view(), name="access_request_list"),
    path("richieste/nuova/", views.AccessRequestCreateView.as_view(), name="access_request_create"),
    path(
        "richieste/<int:pk>/",
        views.AccessRequestDetailView.as_view(),
        name="access_request_detail",
    ),
    path(
        "versioni/<int:pk>/scarica/", views.VersionDownloadView.as_view(), name="version_download"
    ),
    path("scarto/", views.DisposalListView.as_view(), name="disposal_list"),
    path("scarto/<int:pk>/", views.DisposalDetailView.as_view(), name="disposal_detail"),
    path("scarto/<int:pk>/approva/", views.DisposalApproveView.as_view(), name="disposal_approve"),
    path("scarto/<int:pk>/rifiuta/", views.DisposalRefuseView.as_view(), name="disposal_refuse"),
    path(
        "scarto/<int:pk>/verbale/",
        views.CertificateDownloadView.as_view(),
        name="disposal_certificate",
    ),
    path("blocchi/", views.HoldListView.as_view(), name="hold_list"),
    path("blocchi/<int:pk>/revoca/", views.HoldLiftView.as_view(), name="hold_lift"),
]

from django.urls import path

from complaints import views
from complaints.views import exports as export_views
from complaints.views import odv as odv_views
from complaints.views import public as public_views

app_name = "complaints"

urlpatterns = [
    path("", views.ComplaintListView.as_view(), name="complaint_list"),
    path("nuovo/", views.ComplaintCreateView.as_view(), name="complaint_create"),
    path("<int:pk>/", views.ComplaintDetailView.as_view(), name="complaint_detail"),
    path("<int:pk>/assegna/", views.ComplaintAssignView.as_view(), name="complaint_assign"),
    path("<int:pk>/rispondi/", views.ComplaintRespondView.as_view(), name="complaint_respond"),
    path("<int:pk>/chiudi/", views.ComplaintCloseView.as_view(), name="complaint_close"),
    path("<int:pk>/nota/", views.ComplaintNoteView.as_view(), name="complaint_note"),
    path("<int:pk>/sintesi-odv/", views.ComplaintSummaryView.as_view(), name="complaint_summary"),
]

# The OdV's pseudonymised view and the exports (complaints/views/odv.py, exports.py).

urlpatterns += [
    path("odv/", odv_views.OdvComplaintListView.as_view(), name="odv_complaint_list"),
    path("odv/<int:pk>/", odv_views.OdvComplaintDetailView.as_view(), name="odv_complaint_detail"),
    path("odv/esporta.csv", export_views.OdvExportView.as_view(kind="csv"), name="odv_export_csv"),
    path(
        "odv/esporta.xlsx", export_views.OdvExportView.as_view(kind="xlsx"), name="odv_export_xlsx"
    ),
    path(
        "esporta.csv",
        export_views.ComplaintExportView.as_view(kind="csv"),
        name="complaint_export_csv",
    ),
    path(
        "esporta.xlsx",
        export_views.ComplaintExportView.as_view(kind="xlsx"),
        name="complaint_export_xlsx",
    ),
]

# The public pages (no account): issue 10, "Public intake" (complaints/views/public.py).
urlpatterns += [
    path("invia/", public_views.PublicComplaintSubmitView.as_view(), name="public_submit"),
    path(
        "invia/ricevuto/",
        public_views.PublicComplaintReceiptView.as_view(),
        name="public_receipt",
    ),
    path("stato/", public_views.PublicComplaintStatusView.as_view(), name="public_status"),
]

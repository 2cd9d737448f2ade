from django.urls import path

from complaints import views
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

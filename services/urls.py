"""URLs of ``services`` (at ``/servizi/``); each is in tests/services/permission_table.py."""

from django.urls import path

from services import views

app_name = "services"

urlpatterns = [
    path("", views.ServiceListView.as_view(), name="service_list"),
    path("nuovo/", views.ServiceCreateView.as_view(), name="service_create"),
    path("<int:pk>/", views.ServiceDetailView.as_view(), name="service_detail"),
    path("<int:pk>/modifica/", views.ServiceUpdateView.as_view(), name="service_update"),
    path("<int:pk>/contratti/nuovo/", views.ContractCreateView.as_view(), name="contract_create"),
    path(
        "contratti/<int:pk>/modifica/", views.ContractUpdateView.as_view(), name="contract_update"
    ),
    path(
        "<int:pk>/assegnazioni/nuova/",
        views.AssignmentStartView.as_view(),
        name="assignment_start",
    ),
    path(
        "assegnazioni/<int:pk>/termina/", views.AssignmentEndView.as_view(), name="assignment_end"
    ),
    path("<int:pk>/riunioni/nuova/", views.MeetingCreateView.as_view(), name="meeting_create"),
    path("riunioni/<int:pk>/modifica/", views.MeetingUpdateView.as_view(), name="meeting_update"),
    path("<int:pk>/erogazioni/", views.DeliveryMonthView.as_view(), name="delivery_list"),
    path("<int:pk>/erogazioni/nuova/", views.DeliveryCreateView.as_view(), name="delivery_create"),
    path(
        "<int:pk>/erogazioni/rettifica/",
        views.DeliveryCorrectionCreateView.as_view(),
        name="delivery_correction_create",
    ),
    path(
        "erogazioni/<int:pk>/modifica/", views.DeliveryUpdateView.as_view(), name="delivery_update"
    ),
    path(
        "<int:pk>/indicatori/nuovo/", views.IndicatorCreateView.as_view(), name="indicator_create"
    ),
    path(
        "indicatori/<int:pk>/modifica/",
        views.IndicatorUpdateView.as_view(),
        name="indicator_update",
    ),
    path("rendiconti/", views.StatementListView.as_view(), name="statement_list"),
    path("rendiconti/nuovo/", views.StatementCreateView.as_view(), name="statement_create"),
    path("rendiconti/<int:pk>/", views.StatementDetailView.as_view(), name="statement_detail"),
    path("rendiconti/<int:pk>/emetti/", views.StatementIssueView.as_view(), name="statement_issue"),
    path(
        "rendiconti/<int:pk>/ricalcola/",
        views.StatementRecomputeView.as_view(),
        name="statement_recompute",
    ),
    path(
        "rendiconti/<int:pk>/elimina/", views.StatementDeleteView.as_view(), name="statement_delete"
    ),
    path(
        "rendiconti/<int:pk>/rettifica/",
        views.StatementCorrectView.as_view(),
        name="statement_correct",
    ),
    path("rendiconti/<int:pk>/pdf/", views.StatementPdfView.as_view(), name="statement_pdf"),
    path("emergenze/", views.EmergencyListView.as_view(), name="emergency_list"),
    path("emergenze/nuova/", views.EmergencyCreateView.as_view(), name="emergency_create"),
    path("<int:pk>/emergenze/nuova/", views.EmergencyReportView.as_view(), name="emergency_report"),
    path(
        "emergenze/<int:pk>/modifica/", views.EmergencyUpdateView.as_view(), name="emergency_update"
    ),
    path("emergenze/<int:pk>/chiudi/", views.EmergencyCloseView.as_view(), name="emergency_close"),
]

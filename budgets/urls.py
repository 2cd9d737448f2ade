from django.urls import path

from budgets import views

app_name = "budgets"

urlpatterns = [
    path("", views.BudgetListView.as_view(), name="budget_list"),
    path("nuovo/", views.BudgetCreateView.as_view(), name="budget_create"),
    path("<int:pk>/", views.BudgetDetailView.as_view(), name="budget_detail"),
    path("versione/<int:pk>/piano-ore/", views.HourPlanEditView.as_view(), name="version_hours"),
    path(
        "versione/<int:pk>/altre-spese/", views.OtherCostsEditView.as_view(), name="version_costs"
    ),
    path("versione/<int:pk>/proponi/", views.SubmitView.as_view(), name="version_submit"),
    path("versione/<int:pk>/approva/", views.ApproveView.as_view(), name="version_approve"),
    path("versione/<int:pk>/restituisci/", views.ReturnView.as_view(), name="version_return"),
    path("versione/<int:pk>/nuova-versione/", views.NewVersionView.as_view(), name="version_new"),
    path("versione/<int:pk>/pdf/", views.BudgetPdfView.as_view(), name="version_pdf"),
    path("versione/<int:pk>/xlsx/", views.BudgetXlsxView.as_view(), name="version_xlsx"),
    path("versione/<int:pk>/consuntivo/", views.ActualsView.as_view(), name="version_actuals"),
    path(
        "versione/<int:pk>/costi-effettivi/nuovo/",
        views.ActualCostCreateView.as_view(),
        name="actual_cost_create",
    ),
]

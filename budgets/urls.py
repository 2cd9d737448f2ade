from django.urls import path

from budgets import views

app_name = "budgets"

urlpatterns = [
    path("", views.BudgetListView.as_view(), name="list"),
    path("nuovo/", views.BudgetCreateView.as_view(), name="create"),
    path("<int:pk>/", views.BudgetDetailView.as_view(), name="detail"),
    path("versione/<int:pk>/piano-ore/", views.HourPlanEditView.as_view(), name="hours"),
    path("versione/<int:pk>/altre-spese/", views.OtherCostsEditView.as_view(), name="costs"),
    path("versione/<int:pk>/proponi/", views.SubmitView.as_view(), name="submit"),
    path("versione/<int:pk>/approva/", views.ApproveView.as_view(), name="approve"),
    path("versione/<int:pk>/restituisci/", views.ReturnView.as_view(), name="return"),
    path("versione/<int:pk>/nuova-versione/", views.NewVersionView.as_view(), name="new_version"),
    path("versione/<int:pk>/pdf/", views.BudgetPdfView.as_view(), name="pdf"),
    path("versione/<int:pk>/xlsx/", views.BudgetXlsxView.as_view(), name="xlsx"),
    path("versione/<int:pk>/consuntivo/", views.ActualsView.as_view(), name="actuals"),
    path(
        "versione/<int:pk>/costi-effettivi/nuovo/",
        views.ActualCostCreateView.as_view(),
        name="actual_cost_create",
    ),
]

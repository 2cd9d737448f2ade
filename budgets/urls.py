from django.urls import path  # noqa: F401

from budgets import views  # noqa: F401

app_name = "budgets"

urlpatterns: list = []

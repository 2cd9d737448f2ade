from django.urls import path  # noqa: F401 - patterns are added below

from services import views  # noqa: F401

app_name = "services"

urlpatterns: list = []

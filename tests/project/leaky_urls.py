"""A deliberately wrong URLconf: proves the permission walker catches leaks."""

from django.http import HttpResponse
from django.urls import include, path


def leaky_detail(request, pk):
    # Shows any object to anyone signed in or not: every check must flag it.
    return HttpResponse(f"oggetto {pk}")


urlpatterns = [
    path("oggetto/<int:pk>/", leaky_detail, name="leaky_detail"),
    path("", include("segrate_compliance.urls")),
]

"""A deliberately wrong URLconf: proves the permission walker catches leaks."""

from django.http import HttpResponse, HttpResponseNotFound, HttpResponseRedirect
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


def leaky_detail(request, pk):
    # Shows any object to anyone signed in or not: every check must flag it.
    return HttpResponse(f"oggetto {pk}")


@csrf_exempt
def leaky_write(request, pk):
    # Writes for anyone, and answers 404 to everyone but the Direttore: the 404 hides nothing.
    from django.contrib.auth.models import Group

    Group.objects.create(name=f"scritto da {request.user} {Group.objects.count()}")
    if getattr(request.user, "username", "") == "direttore":
        return HttpResponseRedirect("/")
    return HttpResponseNotFound()


urlpatterns = [
    path("oggetto/<int:pk>/", leaky_detail, name="leaky_detail"),
    path("oggetto/<int:pk>/scrivi/", leaky_write, name="leaky_write"),
    path("", include("segrate_compliance.urls")),
]

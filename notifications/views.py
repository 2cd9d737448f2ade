"""The person's notifications: the list, opening one, marking one or all read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import ListView

from notifications import actions, selectors


def _list_url(request) -> str:
    """Back to the list, on the page the person was on."""
    url = reverse("notifications:notification_list")
    page = request.POST.get("page", "")
    return f"{url}?page={page}" if page.isascii() and page.isdigit() else url


class NotificationListView(LoginRequiredMixin, ListView):
    """Every notification of the signed-in person, newest first, 25 a page."""

    template_name = "notifications/notification_list.html"
    context_object_name = "notifications"
    paginate_by = 25

    def get_queryset(self):
        return selectors.notification_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["unread"] = (
            selectors.notification_list(user=self.request.user)
            .filter(read_at__isnull=True)
            .exists()
        )
        return context


class NotificationOpenView(LoginRequiredMixin, View):
    """Open a notification: it is read from now on, and the person lands on its record."""

    def get(self, request, pk: int):
        notification = selectors.notification_get(user=request.user, pk=pk)
        try:
            actions.notification_mark_read(notification=notification, actor=request.user)
        except PermissionDenied as error:
            raise Http404 from error
        # The database accepts local paths only; checked again, as any redirect target is.
        if not url_has_allowed_host_and_scheme(
            notification.url, allowed_hosts={request.get_host()}, require_https=False
        ):
            return redirect("notifications:notification_list")
        return redirect(notification.url)


class NotificationMarkReadView(LoginRequiredMixin, View):
    """Mark one notification read without opening it (POST)."""

    def post(self, request, pk: int):
        notification = selectors.notification_get(user=request.user, pk=pk)
        try:
            actions.notification_mark_read(notification=notification, actor=request.user)
        except PermissionDenied as error:
            raise Http404 from error
        return redirect(_list_url(request))


class NotificationMarkAllReadView(LoginRequiredMixin, View):
    """Mark every notification of the person read (POST)."""

    def post(self, request):
        count = actions.notification_mark_all_read(actor=request.user)
        if count:
            messages.success(
                request,
                ngettext(
                    "%(count)d notifica segnata come letta.",
                    "%(count)d notifiche segnate come lette.",
                    count,
                )
                % {"count": count},
            )
        return redirect(_list_url(request))

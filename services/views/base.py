"""What the pages of ``services`` share: loading narrowed to the user, then one action per form.

Every view narrows what it loads to what the user may see (``selectors``) and then asks the
policy (``permissions.can``) for the action it offers: "missing" and "forbidden" look the
same, a 404. The actions check the policy again; a ``PermissionDenied`` from one is a 404 too.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, IntegrityError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from accounts.actions import document_access_record
from reporting.downloads import DownloadView
from services import forms, selectors
from services.models import Service
from services.permissions import Action, can


class ServicesMixin(LoginRequiredMixin):
    """Load the service (or record) the URL names, then check ``action`` on it; else 404."""

    action: Action = Action.VIEW
    service: Service | None = None

    def load(self, **kwargs) -> Service | None:
        """Load what the URL names (narrowed to the user) and return its service, if any."""
        return None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.service = self.load(**kwargs)
        if not can(request.user, self.action, self.service):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["service"] = self.service
        return context


class ServicePkMixin(ServicesMixin):
    """Views on a service named by ``pk``."""

    def load(self, **kwargs):
        return selectors.service_get(user=self.request.user, pk=kwargs["pk"])


class ActionFormView(ServicesMixin, FormView):
    """A form whose valid data goes to one action; the action's errors go back to the form."""

    template_name = "services/form.html"
    page_title: Any = ""
    submit_label: Any = ""
    success_message: Any = ""

    def save(self, form) -> Any:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.saved = self.save(form)
        except PermissionDenied:
            raise Http404 from None  # the action refused: to the user, as if missing
        except ValidationError as error:
            forms.add_action_errors(form, error)
            return self.form_invalid(form)
        except IntegrityError:
            # A concurrent change beat us to a constraint: nothing was saved.
            form.add_error(None, _("I dati sono cambiati nel frattempo: controlla e riprova."))
            return self.form_invalid(form)
        except DataError:
            # A value the database cannot hold slipped past the form: refuse it, save nothing.
            form.add_error(None, _("Un valore inserito non è accettabile: controlla i dati."))
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self):
        return reverse("services:service_detail", kwargs={"pk": self.service.pk})

    def get_cancel_url(self):
        if self.service is not None:
            return reverse("services:service_detail", kwargs={"pk": self.service.pk})
        return reverse("services:service_list")

    def get_page_title(self) -> str:
        return self.page_title

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            page_title=self.get_page_title(),
            submit_label=self.submit_label or gettext_lazy("Salva"),
            cancel_url=self.get_cancel_url(),
        )
        return context


class ServicesDownloadView(ServicesMixin, DownloadView):
    """A document of a record the user may see, recorded in the register of downloads."""

    access_recorder = staticmethod(document_access_record)

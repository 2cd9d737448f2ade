"""What the archive's pages share: load narrowed to the user, check, then one action."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, DataError, IntegrityError
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.generic import FormView

from archive import selectors
from archive.models import Document
from archive.permissions import Action, can
from archive.uploads import UploadRefused
from services.forms import add_action_errors


class DocumentMixin(LoginRequiredMixin):
    """Views on one document the user may see (``pk``); ``action`` checked on it, else 404."""

    action: Action = Action.VIEW

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.document: Document = selectors.document_get(user=request.user, pk=kwargs["pk"])
        if not can(request.user, self.action, self.document):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["document"] = self.document
        return context


def database_refusal(error: DatabaseError) -> str:
    """What to tell the person when the database refused an action's write (its checks and
    triggers stand behind the action's own): nothing was changed."""
    if isinstance(error, IntegrityError):
        return _("I dati sono cambiati nel frattempo: controlla e riprova.")
    if isinstance(error, DataError):
        return _("Un valore inserito non è accettabile: controlla i dati.")
    # A trigger's refusal: the archive's triggers say why, in Italian.
    reason = getattr(getattr(error.__cause__, "diag", None), "message_primary", None)
    if reason:
        return _("Operazione rifiutata dal database: %(reason)s") % {"reason": reason}
    return _("Operazione non riuscita: nulla è stato modificato. Riprova.")


class ActionFormView(FormView):
    """A form whose valid data go to one action; the action's errors go back to the form."""

    page_title: Any = ""
    success_message: Any = ""

    def save(self, form) -> Any:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.saved = self.save(form)
        except PermissionDenied:
            raise Http404 from None
        except UploadRefused as error:
            form.add_error("upload" if "upload" in form.fields else None, error)
            return self.form_invalid(form)
        except ValidationError as error:
            add_action_errors(form, error)
            return self.form_invalid(form)
        except DatabaseError as error:
            form.add_error(None, database_refusal(error))
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = self.page_title
        return context

"""Italian labels of the Registro attività: operations, and fields of third-party tables.

The models of this project name their fields in Italian; the tables of Django's user↔group and
user↔permission links, django-guardian, django_celery_beat and django-axes do not (or not in
Italian), so the trail names their columns here.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

OPERATION_LABELS = {
    "insert": _("Creazione"),
    "update": _("Modifica"),
    "delete": _("Cancellazione"),
    "group.add": _("Aggiunta a un gruppo"),
    "group.remove": _("Rimozione da un gruppo"),
    "group.change.before": _("Appartenenza a un gruppo riscritta (prima)"),
    "group.change": _("Appartenenza a un gruppo riscritta (dopo)"),
    "permission.add": _("Permesso aggiunto al ruolo"),
    "permission.remove": _("Permesso tolto al ruolo"),
    "permission.change.before": _("Permesso del ruolo riscritto (prima)"),
    "permission.change": _("Permesso del ruolo riscritto (dopo)"),
    "user_permission.add": _("Permesso concesso direttamente all'utente"),
    "user_permission.change": _("Permesso diretto dell'utente modificato"),
    "user_permission.remove": _("Permesso diretto tolto all'utente"),
    "object_permission.add": _("Permesso su un record concesso"),
    "object_permission.change": _("Permesso su un record modificato"),
    "object_permission.remove": _("Permesso su un record revocato"),
    "access.failed": _("Accesso non riuscito"),
    "access.reset": _("Tentativi azzerati: accesso sbloccato"),
}

# Operations that read better in the words of one kind of record.
MODEL_OPERATION_LABELS = {
    "accounts.DocumentAccess": {"insert": _("Documento scaricato")},
}

# Shown instead of "Accesso non riuscito" once the failures reach AXES_FAILURE_LIMIT.
LOCKOUT_LABEL = _("Accesso bloccato per troppi tentativi non riusciti")

# Columns of the proxied third-party tables (the keys are the columns events store).
COLUMN_LABELS = {
    "id": _("ID"),
    "name": _("nome"),
    "user_id": _("utente"),
    "group_id": _("gruppo"),
    "permission_id": _("permesso"),
    "content_type_id": _("tipo di record"),
    "object_pk": _("numero del record"),
    # django_celery_beat: periodic tasks and their schedules
    "task": _("funzione eseguita"),
    "interval_id": _("pianificazione a intervalli"),
    "crontab_id": _("pianificazione a calendario"),
    "solar_id": _("pianificazione solare"),
    "clocked_id": _("pianificazione a data e ora fisse"),
    "args": _("argomenti posizionali"),
    "kwargs": _("argomenti con nome"),
    "queue": _("coda"),
    "exchange": _("exchange"),
    "routing_key": _("chiave di instradamento"),
    "headers": _("intestazioni"),
    "priority": _("priorità"),
    "expires": _("scade il"),
    "expire_seconds": _("scade dopo (secondi)"),
    "one_off": _("una sola volta"),
    "start_time": _("inizia il"),
    "enabled": _("attiva"),
    "description": _("descrizione"),
    "every": _("ogni"),
    "period": _("unità"),
    "minute": _("minuti"),
    "hour": _("ore"),
    "day_of_month": _("giorni del mese"),
    "month_of_year": _("mesi"),
    "day_of_week": _("giorni della settimana"),
    "timezone": _("fuso orario"),
    "clocked_time": _("data e ora"),
    "event": _("evento solare"),
    "latitude": _("latitudine"),
    "longitude": _("longitudine"),
    # django-axes: failed sign-ins
    "username": _("nome utente"),
    "ip_address": _("indirizzo IP"),
    "user_agent": _("browser"),
    "path_info": _("pagina"),
    "failures_since_start": _("accessi non riusciti"),
}

"""Synthetic complaints for scale tests and benchmarks (``manage.py generate_synthetic``).

Continues from ``services.synthetic.generate``: for every synthetic service and year about
``PER_SERVICE_YEAR × scale`` complaints (a weight per kind of service, this year up to
yesterday), so twelve services give about 1,500 a year at scale 1 and 15,000 at scale 10.
They are spread over the channels, categories, kinds of complainant and severities; a
complaint is taken in hand within a few days by the service's Coordinatore of the time,
answered after a realistic delay (half within two weeks, some after their due date) and closed
some days later; what would happen after today has not happened yet, so the recent ones are
still received, in hand or answered, and a few older ones were left waiting (overdue).

The workflow is written directly, not through the actions: this is history being loaded, not
decided. It still passes every database rule, as ``budgets.synthetic`` does: complaints are
inserted as ``ricevuto`` with ``bulk_create`` and then moved through the workflow's steps,
one set-based UPDATE per step and batch (the status trigger allows only ``ricevuto`` →
``in_istruttoria`` → ``risposto`` → ``chiuso``; the checks want each step's fields); the
audit triggers record every insert and update. Protocol numbers follow the order of
registration within each year, after the year's counter (locked, as the register's action
locks it), which is then moved to the last number written: gapless per year, and the next
real registration continues from there. Timeline entries carry the dates of the history.
Deterministic for a given seed, prefix and day.
"""

from __future__ import annotations

import datetime
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from complaints.demo import categories_ensure
from complaints.models import (
    Channel,
    ComplainantKind,
    Complaint,
    ComplaintStatus,
    ComplaintStep,
    ProtocolCounter,
    ResponseMethod,
    Severity,
    TimelineEntry,
)
from complaints.public import receipt_digest
from services.models import ServiceKind
from services.synthetic import (
    BATCH_SIZE,
    FIRST_NAMES,
    LAST_NAMES,
    SyntheticData,
    SyntheticService,
)

PER_SERVICE_YEAR = 125
# Complaints a year of the services built from each of services.synthetic.TEMPLATES, in
# turn, relative to the average (home care and economic aid hear more of them; the foster
# office fewer).
SERVICE_WEIGHTS = [1.2, 0.5, 1.6, 1.3, 0.9, 1.0, 0.6, 1.0, 1.2, 1.1, 0.8, 0.8]

CHANNELS = {
    Channel.TELEFONO: 30,
    Channel.EMAIL: 25,
    Channel.DI_PERSONA: 15,
    Channel.MODULO_WEB: 15,
    Channel.LETTERA: 8,
    Channel.PEC: 7,
}
CATEGORIES = {
    "qualita-servizio": 40,
    "tempi": 25,
    "aspetti-amministrativi": 15,
    "comportamento-operatore": 8,
    "altro": 12,
}
KINDS = {
    ComplainantKind.FAMILIARE: 45,
    ComplainantKind.UTENTE: 35,
    ComplainantKind.ENTE: 8,
    ComplainantKind.ALTRO: 12,
}
SEVERITIES = {Severity.BASSA: 35, Severity.MEDIA: 50, Severity.ALTA: 15}
# How the response went back, by the channel the complaint came from.
RESPONSE_METHODS = {
    Channel.TELEFONO: ResponseMethod.TELEFONO,
    Channel.EMAIL: ResponseMethod.EMAIL,
    Channel.DI_PERSONA: ResponseMethod.DI_PERSONA,
    Channel.MODULO_WEB: ResponseMethod.EMAIL,
    Channel.LETTERA: ResponseMethod.LETTERA,
    Channel.PEC: ResponseMethod.PEC,
}
# Response delay in days: log-normal, median about 13 days, one in ten past 30.
RESPONSE_MEDIAN_DAYS = 13
RESPONSE_SIGMA = 0.6
NEVER_TAKEN_SHARE = 0.004  # left "ricevuto" for good: old overdue complaints
NEVER_ANSWERED_SHARE = 0.006  # left "in_istruttoria" for good
NEVER_CLOSED_SHARE = 0.02  # answered, never closed

DESCRIPTIONS = {
    "qualita-servizio": [
        "L'operatrice non ha svolto le attività previste dal piano di assistenza.",
        "Gli interventi vengono fatti di fretta e senza attenzione alla persona.",
        "Il materiale promesso per le attività non è mai arrivato.",
        "Cambiano troppo spesso le persone che seguono il nostro familiare.",
        "Le indicazioni date al colloquio non sono state rispettate.",
    ],
    "tempi": [
        "Aspettiamo da settimane l'avvio dell'intervento autorizzato.",
        "L'operatore arriva spesso in ritardo rispetto all'orario concordato.",
        "La domanda presentata non ha ancora avuto risposta.",
        "Gli appuntamenti vengono spostati con poco preavviso.",
    ],
    "aspetti-amministrativi": [
        "La quota di compartecipazione richiesta non corrisponde all'ISEE consegnato.",
        "Non abbiamo ricevuto la comunicazione dell'esito della domanda.",
        "La fattura del trimestre contiene accessi non effettuati.",
        "Il contributo riconosciuto non è ancora stato erogato.",
    ],
    "comportamento-operatore": [
        "Un operatore si è rivolto alla persona assistita in modo irrispettoso.",
        "L'operatrice ha alzato la voce davanti al minore durante l'incontro.",
        "L'operatore ha lasciato la persona assistita da sola più del dovuto.",
    ],
    "altro": [
        "Chiediamo informazioni più chiare sul funzionamento del servizio.",
        "Segnaliamo un disagio legato agli orari della sede.",
        "Vorremmo essere informati degli incontri dell'équipe.",
    ],
}
RESPONSES = [
    "Ci scusiamo per il disagio: abbiamo verificato quanto segnalato e riorganizzato gli "
    "interventi come concordato.",
    "Abbiamo ascoltato gli operatori coinvolti e rivisto il piano con la famiglia.",
    "La pratica è stata riesaminata e l'esito le è stato comunicato per iscritto.",
    "Abbiamo fissato un incontro di verifica con la coordinatrice del servizio.",
    "Quanto segnalato è stato corretto; la ringraziamo per la collaborazione.",
]
CAUSES = {
    "qualita-servizio": [
        (
            "Piano di assistenza non aggiornato ai bisogni attuali.",
            "Piano rivisto con la famiglia.",
        ),
        ("Turnazione degli operatori troppo frequente.", "Operatori di riferimento stabili."),
    ],
    "tempi": [
        ("Carico di lavoro del periodo superiore al previsto.", "Rinforzo temporaneo del turno."),
        ("Giri degli accessi mal distribuiti.", "Giri ridisegnati per zona."),
    ],
    "aspetti-amministrativi": [
        ("Dato non aggiornato nel gestionale.", "Controllo mensile dei dati consegnati."),
        ("Comunicazione dell'esito non inviata.", "Invio automatico dell'esito."),
    ],
    "comportamento-operatore": [
        (
            "Condotta non rispettosa della dignità della persona assistita.",
            "Operatore sostituito, formazione e verifica a tre mesi.",
        ),
    ],
    "altro": [
        ("Informazioni al pubblico incomplete.", "Carta del servizio aggiornata."),
    ],
}
ODV_SUMMARY = (
    "Segnalazione sulla condotta di un operatore verso una persona assistita (dati sintetici). "
    "Sentite le parti; adottate le misure indicate nella chiusura."
)


def yearly_count(item_index: int, year: int, data: SyntheticData) -> int:
    """How many complaints the ``item_index``-th synthetic service receives in ``year``."""
    weight = SERVICE_WEIGHTS[item_index % len(SERVICE_WEIGHTS)]
    count = PER_SERVICE_YEAR * data.scale * weight
    if year == data.today.year:  # up to yesterday
        first = datetime.date(year, 1, 1)
        days = datetime.date(year + 1, 1, 1) - first
        count *= (data.today - first).days / days.days
    return round(count)


@dataclass
class _Planned:
    """A complaint and the steps of its history up to now."""

    complaint: Complaint
    assigned_at: datetime.datetime | None = None
    # Written by the workflow's steps after the insert: (text, date, method) and
    # (root cause, corrective action, satisfied, closed at, OdV summary).
    response: tuple[str, datetime.date, str] | None = None
    closing: tuple[str, str, bool | None, datetime.datetime, str] | None = None
    steps: list[tuple[str, User | None, datetime.datetime, str]] = field(default_factory=list)


def _pick(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Generator:
    def __init__(self, data: SyntheticData) -> None:
        self.data = data
        # The prefix too: receipt codes are unique across data sets of one database.
        self.rng = random.Random(f"{data.seed}:{data.prefix}:complaints")  # noqa: S311 - synthetic
        self.now = timezone.now()
        self.categories = {
            code: category
            for code, category in categories_ensure().items()
            if code in CATEGORIES and category.active
        }
        self.category_weights = {
            code: weight for code, weight in CATEGORIES.items() if code in self.categories
        }

    def run(self) -> None:
        planned = [
            self._complaint(item, year)
            for index, item in enumerate(self.data.services)
            for year in self.data.years
            for _n in range(yearly_count(index, year, self.data))
        ]
        self._number(planned)
        complaints = [plan.complaint for plan in planned]
        Complaint.objects.bulk_create(complaints, batch_size=BATCH_SIZE)
        self._advance(planned)
        timeline = [
            TimelineEntry(complaint=plan.complaint, step=step, actor=actor, at=at, note=note)
            for plan in planned
            for step, actor, at, note in plan.steps
        ]
        TimelineEntry.objects.bulk_create(timeline, batch_size=BATCH_SIZE)
        counts = self.data.counts
        counts["reclami"] += len(complaints)
        counts["passaggi dei reclami"] += len(timeline)

    # -- One complaint's history ------------------------------------------------------------

    def _moment(self, day: datetime.date, first_hour: int = 8, last_hour: int = 18):
        time = datetime.time(self.rng.randint(first_hour, last_hour), self.rng.randrange(60))
        return timezone.make_aware(datetime.datetime.combine(day, time))

    def _complaint(self, item: SyntheticService, year: int) -> _Planned:
        rng, today = self.rng, self.data.today
        first = datetime.date(year, 1, 1)
        last = min(datetime.date(year, 12, 31), today - datetime.timedelta(days=1))
        day = first + datetime.timedelta(days=rng.randrange((last - first).days + 1))
        channel = _pick(rng, CHANNELS)
        online = channel in (Channel.MODULO_WEB, Channel.EMAIL, Channel.PEC)
        received_at = self._moment(day, 0 if online else 8, 23 if online else 18)
        category = self.categories[_pick(rng, self.category_weights)]
        kind = _pick(rng, KINDS)
        minors = item.template.kind in (ServiceKind.SIMF, ServiceKind.AFFIDI)
        has_person = kind != ComplainantKind.UTENTE and rng.random() < 0.8
        first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        coordinator = item.coordinator_on(day)
        if channel == Channel.MODULO_WEB:  # the citizen's own submission: no staff author
            author, created_at = None, received_at
        else:
            author = self.data.direttore if channel in (Channel.PEC, Channel.LETTERA) else None
            author = author or coordinator
            created_at = received_at + datetime.timedelta(minutes=rng.randint(10, 26 * 60))
        created_at = min(created_at, self.now)
        due_date = day + datetime.timedelta(days=category.due_days)
        complaint = Complaint(
            received_at=received_at,
            channel=channel,
            service=item.service,
            complainant_kind=kind,
            complainant_name=(
                f"{first_name} {last_name}"
                if kind != ComplainantKind.ENTE
                else f"Ente segnalante {rng.randint(1, 99)}"
            ),
            complainant_email=(
                f"{first_name}.{last_name}@example.org".lower().replace(" ", "") if online else ""
            ),
            complainant_phone=f"+39 3{rng.randint(10, 99)} {rng.randint(1000000, 9999999)}"
            if channel == Channel.TELEFONO
            else "",
            person_served_name=f"{rng.choice(FIRST_NAMES)} {last_name}" if has_person else "",
            person_served_is_minor=has_person and rng.random() < (0.7 if minors else 0.03),
            category=category,
            description=rng.choice(DESCRIPTIONS[category.code]),
            severity=Severity.ALTA if category.is_conduct else _pick(rng, SEVERITIES),
            flagged_to_odv=category.is_conduct,
            status=ComplaintStatus.RICEVUTO,
            due_date=due_date,
            created_at=created_at,
            created_by=author,
            receipt_code_hash=(
                receipt_digest(f"{self.data.prefix}-{rng.getrandbits(64):016X}")
                if channel == Channel.MODULO_WEB
                else None
            ),
        )
        plan = _Planned(complaint)
        plan.steps.append((ComplaintStep.REGISTRATO, author, created_at, ""))
        self._handling(plan, item, day)
        return plan

    def _handling(self, plan: _Planned, item: SyntheticService, day: datetime.date) -> None:
        """Taken in hand, answered and closed, as far as today allows."""
        rng, complaint, now = self.rng, plan.complaint, self.now
        fate = rng.random()
        assigned_at = max(
            self._moment(day + datetime.timedelta(days=rng.choice((0, 1, 1, 2, 3, 5)))),
            complaint.created_at + datetime.timedelta(minutes=30),
        )
        if fate < NEVER_TAKEN_SHARE or assigned_at > now:
            self._overdue_notice(complaint)
            return
        assignee = item.coordinator_on(timezone.localdate(assigned_at))
        complaint.assignee = assignee
        plan.assigned_at = assigned_at
        plan.steps.append(
            (
                ComplaintStep.ASSEGNATO,
                assignee,
                assigned_at,
                # The note complaints.actions.complaint_assign writes.
                _("Assegnato a %(name)s, scadenza %(due)s.")
                % {"name": assignee.get_full_name(), "due": f"{complaint.due_date:%d/%m/%Y}"},
            )
        )
        delay = math.ceil(rng.lognormvariate(math.log(RESPONSE_MEDIAN_DAYS), RESPONSE_SIGMA))
        answered_at = max(
            self._moment(day + datetime.timedelta(days=delay)),
            assigned_at + datetime.timedelta(hours=1),
        )
        if fate < NEVER_TAKEN_SHARE + NEVER_ANSWERED_SHARE or answered_at > now:
            self._overdue_notice(complaint)
            return
        response_date = timezone.localdate(answered_at)
        plan.response = (
            rng.choice(RESPONSES),
            response_date,
            RESPONSE_METHODS[complaint.channel],
        )
        plan.steps.append((ComplaintStep.RISPOSTO, assignee, answered_at, ""))
        closed_at = self._moment(response_date + datetime.timedelta(days=rng.randint(1, 25)))
        if rng.random() < NEVER_CLOSED_SHARE or closed_at > now:
            return
        cause, action = rng.choice(CAUSES[complaint.category.code])
        satisfied = rng.choices((True, False, None), (70, 15, 15))[0]
        summary = ODV_SUMMARY if complaint.flagged_to_odv else ""
        plan.closing = (cause, action, satisfied, closed_at, summary)
        plan.steps.append((ComplaintStep.CHIUSO, assignee, closed_at, ""))

    def _overdue_notice(self, complaint: Complaint) -> None:
        """Waiting past its due date: its reminder went out (history), so the daily reminder
        (complaints.actions.complaint_overdue_notify) does not send years of them at once."""
        if complaint.due_date < self.data.today:
            complaint.overdue_notified_for = complaint.due_date

    # -- Writing ----------------------------------------------------------------------------

    def _number(self, planned: list[_Planned]) -> None:
        """Numbers in the order of registration within each year, after the year's counter
        (locked until the command's transaction ends); the counter ends at the last one."""
        by_year: dict[int, list[Complaint]] = defaultdict(list)
        for plan in planned:
            complaint = plan.complaint
            complaint.year = timezone.localtime(complaint.created_at).year
            by_year[complaint.year].append(complaint)
        if not by_year:
            return
        years = sorted(by_year)
        ProtocolCounter.objects.bulk_create(
            [ProtocolCounter(year=year) for year in years], ignore_conflicts=True
        )
        counters = {
            counter.year: counter
            for counter in ProtocolCounter.objects.select_for_update().filter(year__in=years)
        }
        for year in years:
            complaints = sorted(by_year[year], key=lambda c: (c.created_at, c.received_at))
            start = counters[year].last_number
            for offset, complaint in enumerate(complaints, start=1):
                complaint.number = start + offset
            ProtocolCounter.objects.filter(year=year).update(last_number=start + len(complaints))
        planned.sort(key=lambda plan: (plan.complaint.year, plan.complaint.number))

    def _advance(self, planned: list[_Planned]) -> None:
        """Move the complaints through the workflow's steps, one UPDATE per step and batch."""
        table = Complaint._meta.db_table
        taken = [plan.complaint.pk for plan in planned if plan.assigned_at is not None]
        for start in range(0, len(taken), BATCH_SIZE):
            Complaint.objects.filter(pk__in=taken[start : start + BATCH_SIZE]).update(
                status=ComplaintStatus.IN_ISTRUTTORIA
            )
        answered = [plan for plan in planned if plan.response is not None]
        closed = [plan for plan in answered if plan.closing is not None]
        with connection.cursor() as cursor:
            for start in range(0, len(answered), BATCH_SIZE):
                rows = answered[start : start + BATCH_SIZE]
                texts, days, methods = zip(*(plan.response for plan in rows), strict=True)
                cursor.execute(
                    f'UPDATE "{table}" AS c SET status = %s, response_text = v.text,'  # noqa: S608 - the model's table, values as parameters
                    " response_date = v.day, response_method = v.method"
                    " FROM unnest(%s::bigint[], %s::text[], %s::date[], %s::text[])"
                    " AS v(id, text, day, method) WHERE c.id = v.id",
                    [
                        ComplaintStatus.RISPOSTO,
                        [plan.complaint.pk for plan in rows],
                        list(texts),
                        list(days),
                        list(methods),
                    ],
                )
            for start in range(0, len(closed), BATCH_SIZE):
                rows = closed[start : start + BATCH_SIZE]
                causes, actions, satisfied, moments, summaries = zip(
                    *(plan.closing for plan in rows), strict=True
                )
                cursor.execute(
                    f'UPDATE "{table}" AS c SET status = %s, root_cause = v.cause,'  # noqa: S608 - the model's table, values as parameters
                    " corrective_action = v.action, complainant_satisfied = v.satisfied,"
                    " closed_at = v.closed, odv_summary = v.summary"
                    " FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::boolean[],"
                    " %s::timestamptz[], %s::text[])"
                    " AS v(id, cause, action, satisfied, closed, summary) WHERE c.id = v.id",
                    [
                        ComplaintStatus.CHIUSO,
                        [plan.complaint.pk for plan in rows],
                        list(causes),
                        list(actions),
                        list(satisfied),
                        list(moments),
                        list(summaries),
                    ],
                )
        # The objects now say what the rows say.
        for plan in planned:
            complaint = plan.complaint
            if plan.assigned_at is not None:
                complaint.status = ComplaintStatus.IN_ISTRUTTORIA
            if plan.response is not None:
                complaint.status = ComplaintStatus.RISPOSTO
                text, day, method = plan.response
                complaint.response_text, complaint.response_date = text, day
                complaint.response_method = method
            if plan.closing is not None:
                complaint.status = ComplaintStatus.CHIUSO
                cause, action, satisfied_, moment, summary = plan.closing
                complaint.root_cause, complaint.corrective_action = cause, action
                complaint.complainant_satisfied, complaint.closed_at = satisfied_, moment
                complaint.odv_summary = summary


def generate(*, data: SyntheticData) -> SyntheticData:
    """Add the complaints to the synthetic services in ``data`` (counts included)."""
    _Generator(data).run()
    return data

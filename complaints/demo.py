"""Demo data of the complaint register (``manage.py seed_demo``, after ``services.demo``).

For each of the four demo services, complaints received over the last four complete calendar
quarters and in the current one (so each quarterly report to the OdV has its figures, Prot. 10
§7), in every state of the workflow: closed ones in the past quarters, one answered and not
yet closed, and recent ones received, taken in hand and answered. Some are overdue (received
or taken in hand, past their due date); one came from the public web form (channel
``modulo_web``, no staff author, a receipt code whose plain text is not kept or printed: the
seeders print no credentials); one is about an operator's conduct (flagged to the OdV, Prot.
10 §4) with the summary the OdV reads; one concerns a minor.

Every staff step goes through the real actions with the real actors (numbering under the
year's counter, due dates, timeline, notifications, audit), so the demo passes the workflow's
own checks. What the actions stamp with the current time stays so, as in ``budgets.demo``:
the protocol number belongs to the year of registration (the seeding day's), the timeline and
the closing carry the seeding time; the dates of receipt and of response are the demo's
history. The complaint from the web form is written here as the public intake writes one
(the next number under the same lock, no author, a system step on the timeline).

Idempotent: a complaint with the same service and description is left as it is, so a second
run adds nothing. The names are invented.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_context
from complaints import actions, notices
from complaints.models import (
    Category,
    Channel,
    Complaint,
    ComplaintStatus,
    ComplaintStep,
    TimelineEntry,
)
from complaints.public import receipt_digest
from services.demo import add_months, demo_user
from services.models import Service

# Who registers and who handles the complaints of each service (as in services.demo).
COORDINATORS = {
    "simf": "coord.simf",
    "affidi": "coord.simf",
    "sad": "coord.sad",
    "contributi": "coord.sad",
}
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


@dataclass(frozen=True)
class Spec:
    """One demo complaint and how far its handling went.

    ``quarter``: 1 to 4 quarters before the current one, with ``day`` the day of that
    quarter (0 = its first); ``None``: ``day`` days before today.
    """

    service: str
    quarter: int | None
    day: int
    channel: str
    complainant_kind: str
    complainant_name: str
    category: str
    description: str
    state: str
    severity: str = "media"
    person_served_name: str = ""
    minor: bool = False
    email: str = ""
    phone: str = ""
    address: str = ""
    registrar: str = ""  # default: the service's Coordinatore
    response: str = ""
    response_days: int = 0  # after the receipt
    response_method: str = "email"
    root_cause: str = ""
    corrective_action: str = ""
    satisfied: bool | None = None
    note: str = ""
    odv_summary: str = ""
    hour: int = 10


SPECS: list[Spec] = [
    # -- SIMF ---------------------------------------------------------------------------------
    Spec(
        "simf", 4, 20, Channel.EMAIL, "familiare", "Roberta Sanvito", "tempi",
        "Da sei settimane aspettiamo il primo incontro con l'educatrice per nostro figlio: "
        "ci era stato detto che l'intervento sarebbe partito entro quindici giorni.",
        ComplaintStatus.CHIUSO,
        person_served_name="Tommaso Sanvito", minor=True,
        email="roberta.sanvito@example.org",
        response="Ci scusiamo per l'attesa: l'educatrice assegnata è stata assente per "
        "malattia. Il primo incontro è fissato per martedì prossimo alle 16.",
        response_days=6,
        root_cause="Assenza prolungata dell'educatrice senza riassegnazione del caso.",
        corrective_action="Regola di riassegnazione dei casi dopo cinque giorni di assenza.",
        satisfied=True,
    ),
    Spec(
        "simf", 3, 41, Channel.TELEFONO, "familiare", "Giovanni Brambilla", "qualita-servizio",
        "Il papà lamenta che gli incontri educativi del figlio vengono spostati spesso con "
        "poco preavviso, e che il bambino ne risente.",
        ComplaintStatus.CHIUSO,
        person_served_name="Nicolò Brambilla", minor=True, phone="+39 333 410 2281",
        response="Abbiamo concordato con la famiglia un calendario fisso per il trimestre; "
        "eventuali spostamenti saranno comunicati con almeno 48 ore di anticipo.",
        response_days=11, response_method="telefono",
        root_cause="Calendario degli incontri costruito settimana per settimana.",
        corrective_action="Calendario trimestrale condiviso con le famiglie.",
        satisfied=True,
    ),
    Spec(
        "simf", 2, 63, Channel.LETTERA, "ente", "Istituto Comprensivo di Segrate – Dirigenza",
        "aspetti-amministrativi",
        "La scuola segnala di non aver ricevuto la relazione di aggiornamento sul progetto "
        "educativo di un alunno, richiesta per il consiglio di classe.",
        ComplaintStatus.CHIUSO, severity="bassa",
        address="Via Roma 20, 20054 Segrate (MI)", registrar="direttore",
        response="La relazione è stata inviata alla Dirigenza scolastica via PEC; per i "
        "prossimi consigli di classe la invieremo una settimana prima.",
        response_days=9, response_method="pec",
        root_cause="Richiesta della scuola arrivata a una casella non presidiata.",
        corrective_action="Un unico indirizzo per le richieste delle scuole, letto ogni giorno.",
        satisfied=None,
    ),
    Spec(
        "simf", 1, 30, Channel.DI_PERSONA, "familiare", "Silvia Cattaneo", "qualita-servizio",
        "La mamma chiede che gli incontri protetti con il padre non si svolgano più nella "
        "sala al piano terra, dove il bambino si sente osservato.",
        ComplaintStatus.RISPOSTO,
        person_served_name="Edoardo Cattaneo", minor=True,
        response="Dal mese prossimo gli incontri si terranno nella stanza al primo piano, "
        "più riservata; ne parleremo anche al prossimo colloquio.",
        response_days=12, response_method="di_persona",
    ),
    Spec(
        "simf", None, 48, Channel.PEC, "ente", "Studio legale Viganò", "tempi",
        "Il legale della famiglia lamenta che la relazione al Tribunale per i Minorenni "
        "richiesta per l'udienza non è ancora pronta.",
        ComplaintStatus.IN_ISTRUTTORIA, severity="alta",
        email="studio.vigano@pec.example.org", registrar="direttore",
        note="Chiesto all'assistente sociale il calendario di consegna della relazione.",
    ),
    Spec(
        "simf", None, 5, Channel.TELEFONO, "familiare", "Marta Oldani", "altro",
        "La nonna che ha in affido di fatto la nipote chiede di essere informata degli "
        "incontri dell'équipe, che finora non le sono stati comunicati.",
        ComplaintStatus.RICEVUTO, severity="bassa",
        person_served_name="Aurora Oldani", minor=True, phone="+39 02 2134 5567",
    ),
    # -- Ufficio Affidi -----------------------------------------------------------------------
    Spec(
        "affidi", 4, 55, Channel.EMAIL, "altro", "Andrea Pirovano", "aspetti-amministrativi",
        "La famiglia affidataria non ha ancora ricevuto il contributo mensile di affido dei "
        "mesi di luglio e agosto.",
        ComplaintStatus.CHIUSO,
        email="famiglia.pirovano@example.org",
        response="Il contributo di luglio e agosto è stato disposto il 12; il ritardo è dipeso "
        "dall'aggiornamento della determina del Comune.",
        response_days=8,
        root_cause="Rinnovo della determina di spesa comunicato in ritardo all'ufficio.",
        corrective_action="Scadenziario condiviso con il Comune per i rinnovi delle determine.",
        satisfied=True,
    ),
    Spec(
        "affidi", 3, 12, Channel.DI_PERSONA, "altro", "Elisabetta Fumagalli", "qualita-servizio",
        "La coppia in percorso di idoneità lamenta che gli incontri di formazione sono "
        "stati annullati due volte senza avviso.",
        ComplaintStatus.CHIUSO, severity="bassa",
        response="Abbiamo fissato le nuove date e attivato un avviso via SMS per ogni "
        "variazione del calendario.",
        response_days=5, response_method="telefono",
        root_cause="Formatrice esterna indisponibile, comunicazione non inoltrata.",
        corrective_action="Avvisi automatici ai partecipanti per ogni variazione.",
        satisfied=True,
    ),
    Spec(
        "affidi", 2, 70, Channel.TELEFONO, "familiare", "Luisa Redaelli", "comportamento-operatore",
        "La madre di un ragazzo in affido diurno riferisce che un'operatrice le ha parlato "
        "in modo sprezzante davanti al figlio durante la riconsegna.",
        ComplaintStatus.CHIUSO, severity="alta",
        person_served_name="Kevin Redaelli", minor=True, phone="+39 347 882 1930",
        response="Abbiamo ascoltato lei e l'operatrice; ci scusiamo per quanto accaduto. Le "
        "riconsegne saranno seguite dalla coordinatrice fino a fine anno.",
        response_days=14, response_method="lettera",
        root_cause="Tensione non gestita in un passaggio delicato; operatrice non supportata.",
        corrective_action="Supervisione per l'operatrice e riconsegne accompagnate.",
        satisfied=False,
        note="Sentita l'operatrice con la coordinatrice; redatto verbale del colloquio.",
        odv_summary="Un familiare segnala un comportamento irrispettoso di un'operatrice "
        "durante la riconsegna di un minore in affido diurno. Sentite le parti; attivate "
        "supervisione e riconsegne accompagnate.",
    ),
    Spec(
        "affidi", 1, 22, Channel.EMAIL, "altro", "Federico Mauri", "tempi",
        "La famiglia affidataria chiede da un mese un incontro di verifica del progetto e "
        "non ha ancora avuto una data.",
        ComplaintStatus.CHIUSO,
        email="f.mauri@example.org",
        response="L'incontro di verifica è fissato per giovedì 14 alle 17:30 in sede.",
        response_days=4,
        root_cause="Richiesta rimasta nella casella di un'operatrice in ferie.",
        corrective_action="Risposta automatica con il recapito alternativo durante le ferie.",
        satisfied=True,
    ),
    Spec(
        "affidi", None, 16, Channel.LETTERA, "utente", "Camilla Sironi", "qualita-servizio",
        "La ragazza, ora maggiorenne, chiede di poter consultare la documentazione del "
        "proprio affido e lamenta di non aver avuto risposta.",
        ComplaintStatus.RISPOSTO, severity="bassa",
        address="Via Cassanese 112, 20054 Segrate (MI)",
        response="Può consultare la documentazione in sede con la psicologa del servizio: la "
        "contatteremo per fissare l'appuntamento.",
        response_days=7, response_method="lettera",
    ),
    Spec(
        "affidi", None, 3, Channel.TELEFONO, "altro", "Paolo Riva", "altro",
        "Il vicino di casa di una famiglia affidataria chiede informazioni sul servizio e "
        "lamenta rumori durante le visite serali.",
        ComplaintStatus.RICEVUTO, severity="bassa", phone="+39 02 2690 4411",
    ),
    Spec(
        "affidi", None, 9, Channel.EMAIL, "altro", "Chiara Longhi", "aspetti-amministrativi",
        "La famiglia affidataria segnala che il rimborso delle spese mediche straordinarie "
        "del ragazzo, presentato con le ricevute a settembre, non è ancora arrivato.",
        ComplaintStatus.IN_ISTRUTTORIA, severity="bassa",
        email="famiglia.longhi@example.org",
        note="Chiesto all'amministrazione lo stato della liquidazione del rimborso.",
    ),
    # -- SAD ----------------------------------------------------------------------------------
    Spec(
        "sad", 4, 34, Channel.TELEFONO, "familiare", "Giuseppe Colnaghi", "tempi",
        "Il figlio lamenta che l'operatrice arriva spesso con mezz'ora di ritardo per "
        "l'igiene del mattino del padre.",
        ComplaintStatus.CHIUSO,
        person_served_name="Angelo Colnaghi", phone="+39 339 220 7764", registrar="operatore",
        response="Abbiamo anticipato l'accesso alle 8:00 e ridotto il giro della mattina: "
        "l'operatrice arriverà puntuale.",
        response_days=7, response_method="telefono",
        root_cause="Giro del mattino con troppi accessi in zone lontane.",
        corrective_action="Giri ridisegnati per quartiere.",
        satisfied=True,
    ),
    Spec(
        "sad", 3, 58, Channel.EMAIL, "familiare", "Francesca Villa", "qualita-servizio",
        "La figlia segnala che il bagno assistito della madre viene fatto di fretta e che la "
        "cute non viene controllata.",
        ComplaintStatus.CHIUSO, severity="alta",
        person_served_name="Rosa Villa", email="francesca.villa@example.org",
        response="Abbiamo rivisto il piano di assistenza con l'infermiera del territorio: "
        "l'accesso passa a 60 minuti con il controllo della cute a ogni bagno.",
        response_days=10,
        root_cause="Tempo dell'accesso insufficiente per i bisogni attuali dell'utente.",
        corrective_action="Piano di assistenza rivisto e scheda di controllo della cute.",
        satisfied=True,
    ),
    Spec(
        "sad", 2, 15, Channel.DI_PERSONA, "utente", "Ernesto Galbiati", "aspetti-amministrativi",
        "L'utente contesta la quota di compartecipazione del trimestre, calcolata senza il "
        "nuovo ISEE consegnato a marzo.",
        ComplaintStatus.CHIUSO, severity="bassa", registrar="operatore",
        response="La quota è stata ricalcolata con il nuovo ISEE; la differenza sarà detratta "
        "dalla prossima fattura.",
        response_days=13, response_method="lettera",
        root_cause="ISEE aggiornato non registrato nel gestionale.",
        corrective_action="Verifica mensile degli ISEE consegnati allo sportello.",
        satisfied=True,
    ),
    Spec(
        "sad", 1, 9, Channel.TELEFONO, "familiare", "Anna Terraneo", "comportamento-operatore",
        "La nipote riferisce che un operatore ha alzato la voce con la zia, che ha 91 anni, "
        "e l'ha lasciata seduta in bagno per molti minuti da sola.",
        ComplaintStatus.CHIUSO, severity="alta",
        person_served_name="Carla Terraneo", phone="+39 02 2135 8890",
        response="Ci scusiamo con lei e con sua zia. L'operatore è stato sospeso dagli accessi "
        "presso la signora e ha iniziato un percorso di formazione; da lunedì la "
        "segue un'altra operatrice.",
        response_days=5, response_method="telefono",
        root_cause="Condotta non rispettosa della dignità della persona assistita.",
        corrective_action="Sostituzione dell'operatore, formazione e verifica a tre mesi.",
        satisfied=True,
        note="Colloquio con l'operatore alla presenza del Direttore; informato l'OdV.",
        odv_summary="Un familiare segnala che un operatore ha alzato la voce con un'utente "
        "molto anziana e l'ha lasciata sola in bagno. Operatore sostituito presso "
        "l'utente, formazione avviata, verifica prevista a tre mesi.",
    ),
    Spec(
        "sad", None, 52, Channel.PEC, "ente", "Associazione Anziani Segrate", "tempi",
        "L'associazione segnala che tre nuovi utenti aspettano da oltre un mese l'avvio "
        "dell'assistenza domiciliare autorizzata dal Comune.",
        ComplaintStatus.RICEVUTO, severity="alta",
        email="associazione.anziani@pec.example.org", registrar="direttore",
    ),
    Spec(
        "sad", None, 18, Channel.EMAIL, "familiare", "Marco Scotti", "qualita-servizio",
        "Il figlio lamenta che negli ultimi accessi non è stata fatta la spesa concordata e "
        "il frigorifero del padre era vuoto.",
        ComplaintStatus.IN_ISTRUTTORIA,
        person_served_name="Luigi Scotti", email="marco.scotti@example.org",
        note="Verificati i fogli di accesso delle ultime due settimane con l'operatrice.",
    ),
    Spec(
        "sad", None, 25, Channel.TELEFONO, "utente", "Teresa Bonfanti", "qualita-servizio",
        "L'utente chiede di non cambiare più l'operatrice ogni settimana: fa fatica ad "
        "abituarsi a persone nuove.",
        ComplaintStatus.RISPOSTO, severity="bassa", registrar="operatore",
        response="Da questo mese la seguiranno sempre le stesse due operatrici, a settimane "
        "alterne.",
        response_days=6, response_method="telefono",
    ),
    # -- Contributi Economici ----------------------------------------------------------------
    Spec(
        "contributi", 4, 75, Channel.EMAIL, "utente", "Salvatore Greco", "tempi",
        "Il richiedente lamenta che la domanda di contributo per l'affitto presentata due "
        "mesi fa non ha ancora avuto esito.",
        ComplaintStatus.CHIUSO,
        email="s.greco@example.org",
        response="La domanda è stata istruita e accolta; il contributo sarà erogato entro "
        "fine mese. Ci scusiamo per il ritardo.",
        response_days=9,
        root_cause="Picco di domande dopo il bando, personale ridotto nel periodo.",
        corrective_action="Rinforzo temporaneo dello sportello nei mesi dei bandi.",
        satisfied=True,
    ),
    Spec(
        "contributi", 3, 27, Channel.DI_PERSONA, "utente", "Maria Grazia Longoni",
        "aspetti-amministrativi",
        "La richiedente contesta il rigetto della domanda per documentazione incompleta: "
        "dice di aver consegnato tutto allo sportello.",
        ComplaintStatus.CHIUSO,
        response="Abbiamo ritrovato il documento consegnato, archiviato per errore in un "
        "altro fascicolo: la domanda è stata riesaminata e accolta.",
        response_days=6, response_method="lettera",
        root_cause="Documento protocollato nel fascicolo sbagliato.",
        corrective_action="Ricevuta con l'elenco dei documenti consegnati, controfirmata.",
        satisfied=True,
    ),
    Spec(
        "contributi", 2, 44, Channel.LETTERA, "familiare", "Ahmed Benali", "altro",
        "Il figlio di una richiedente chiede spiegazioni sul calcolo del contributo, che "
        "risulta più basso dell'anno scorso.",
        ComplaintStatus.CHIUSO, severity="bassa",
        address="Via XXV Aprile 8, 20054 Segrate (MI)",
        response="Il contributo è più basso perché l'ISEE del nucleo è aumentato; in allegato "
        "il dettaglio del calcolo secondo il regolamento comunale.",
        response_days=15, response_method="lettera",
        root_cause="Esito comunicato senza il dettaglio del calcolo.",
        corrective_action="Lettera di esito con il prospetto di calcolo.",
        satisfied=None,
    ),
    Spec(
        "contributi", 1, 60, Channel.EMAIL, "utente", "Daniela Perego", "qualita-servizio",
        "La richiedente lamenta che allo sportello non le hanno saputo dire quali documenti "
        "servivano e ha dovuto tornare tre volte.",
        ComplaintStatus.CHIUSO, severity="bassa",
        email="daniela.perego@example.org",
        response="Abbiamo pubblicato l'elenco dei documenti sul sito e lo consegniamo a ogni "
        "primo accesso. Grazie della segnalazione.",
        response_days=10,
        root_cause="Informazioni sui documenti non uniformi tra gli operatori dello sportello.",
        corrective_action="Elenco unico dei documenti, pubblicato e consegnato.",
        satisfied=True,
    ),
    Spec(
        "contributi", None, 40, Channel.TELEFONO, "utente", "Rocco Esposti", "tempi",
        "Il richiedente aspetta da settimane l'esito della domanda di contributo per le "
        "utenze e teme il distacco della luce.",
        ComplaintStatus.IN_ISTRUTTORIA, severity="alta",
        phone="+39 351 774 0923",
    ),
    Spec(
        "contributi", None, 14, Channel.PEC, "ente", "CAF Martesana – sede di Segrate",
        "aspetti-amministrativi",
        "Il CAF segnala che le domande trasmesse per conto dei propri assistiti non ricevono "
        "la ricevuta di protocollo.",
        ComplaintStatus.RISPOSTO, severity="bassa",
        email="caf.martesana@pec.example.org", registrar="direttore",
        response="Da oggi la ricevuta di protocollo viene inviata in automatico all'indirizzo "
        "PEC del mittente.",
        response_days=5, response_method="pec",
    ),
    Spec(
        "contributi", None, 2, Channel.EMAIL, "utente", "Irene Mazzola", "altro",
        "La richiedente chiede che le comunicazioni le arrivino per e-mail e non per lettera, "
        "perché è spesso fuori casa per lavoro.",
        ComplaintStatus.RICEVUTO, severity="bassa",
        email="irene.mazzola@example.org",
    ),
]  # fmt: skip

# The complaint from the public web form (SAD, received yesterday evening, not taken yet).
WEB_FORM = Spec(
    "sad", None, 1, Channel.MODULO_WEB, "familiare", "Lucia Rigamonti", "qualita-servizio",
    "Scrivo per mia madre, seguita dal SAD: da due settimane l'operatrice del pomeriggio non "
    "passa il martedì e nessuno ci ha avvisato. Vorrei sapere se il servizio è stato "
    "ridotto e perché.",
    ComplaintStatus.RICEVUTO,
    person_served_name="Giovanna Rigamonti", email="lucia.rigamonti@example.org",
    phone="+39 340 115 6672", hour=21,
)  # fmt: skip


# The categories the register starts with (complaints/0003 writes them; a database whose
# tables were emptied gets them back here): code, name, days to respond, about conduct.
CATEGORIES = [
    ("qualita-servizio", "Qualità del servizio", 30, False),
    ("comportamento-operatore", "Comportamento di un operatore", 30, True),
    ("tempi", "Tempi", 30, False),
    ("aspetti-amministrativi", "Aspetti amministrativi", 30, False),
    ("altro", "Altro", 30, False),
]


def categories_ensure() -> dict[str, Category]:
    """The starting categories by code: missing ones are created, others left as they are."""
    found = {category.code: category for category in Category.objects.all()}
    missing = [code for code, *_rest in CATEGORIES if code not in found]
    if missing:
        # The managed list has no action of its own: attribute it to the demo run.
        with audit_context(None, source="seed_demo"):
            for code, name, due_days, is_conduct in CATEGORIES:
                if code in missing:
                    category = Category(
                        code=code, name=name, due_days=due_days, is_conduct=is_conduct
                    )
                    category.full_clean()
                    category.save()
                    found[code] = category
    return found


def quarter_start(day: datetime.date) -> datetime.date:
    """The first day of the calendar quarter ``day`` falls in."""
    return datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def received_at(spec: Spec, today: datetime.date) -> datetime.datetime:
    """When ``spec`` was received: in its quarter, or ``day`` days ago (never today or later,
    and never past its quarter's end)."""
    if spec.quarter is None:
        day = today - datetime.timedelta(days=spec.day)
    else:
        start = add_months(quarter_start(today), -3 * spec.quarter)
        last = add_months(start, 3) - datetime.timedelta(days=1)
        day = min(start + datetime.timedelta(days=spec.day), last)
    day = min(day, today - datetime.timedelta(days=1))
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(spec.hour, 15)))


def _complaint(spec: Spec, service: Service, categories: dict[str, Category], today) -> Complaint:
    return Complaint(
        service=service,
        received_at=received_at(spec, today),
        channel=spec.channel,
        complainant_kind=spec.complainant_kind,
        complainant_name=spec.complainant_name,
        complainant_email=spec.email,
        complainant_phone=spec.phone,
        complainant_address=spec.address,
        person_served_name=spec.person_served_name,
        person_served_is_minor=spec.minor,
        category=categories[spec.category],
        description=spec.description,
        severity=spec.severity,
    )


@transaction.atomic
def seed(*, password: str) -> None:
    """Create the demo complaints (idempotent; ``password`` is unused)."""
    today = timezone.localdate()
    categories = categories_ensure()
    services = {service.code: service for service in Service.objects.filter(code__in=COORDINATORS)}
    existing = set(
        Complaint.objects.filter(service__in=services.values()).values_list(
            "service__code", "description"
        )
    )
    # Oldest first, so the protocol numbers follow the order of receipt.
    specs = sorted([*SPECS, WEB_FORM], key=lambda spec: received_at(spec, today))
    for spec in specs:
        if spec.service not in services or (spec.service, spec.description) in existing:
            continue
        complaint = _complaint(spec, services[spec.service], categories, today)
        if spec.channel == Channel.MODULO_WEB:
            _public_submit(complaint)
        else:
            _handle(spec, complaint, today)


def _handle(spec: Spec, complaint: Complaint, today: datetime.date) -> None:
    """Register ``complaint`` and take it as far as ``spec.state`` through the actions."""
    coordinator = demo_user(COORDINATORS[spec.service])
    registrar = demo_user(spec.registrar) if spec.registrar else coordinator
    complaint = actions.complaint_register(complaint=complaint, actor=registrar)
    if spec.state == ComplaintStatus.RICEVUTO:
        return
    # Taken in hand with the default due date (the receipt day plus the category's days), so
    # an old complaint still waiting is overdue.
    complaint = actions.complaint_assign(
        complaint=complaint, assignee=coordinator, due_date=complaint.due_date, actor=coordinator
    )
    if spec.note:
        actions.complaint_note(complaint=complaint, note=spec.note, actor=coordinator)
    if spec.state == ComplaintStatus.IN_ISTRUTTORIA:
        return
    received_day = timezone.localdate(complaint.received_at)
    complaint = actions.complaint_respond(
        complaint=complaint,
        response_text=spec.response,
        response_date=min(received_day + datetime.timedelta(days=spec.response_days), today),
        response_method=spec.response_method,
        actor=coordinator,
    )
    if spec.odv_summary:
        actions.complaint_odv_summary_save(
            complaint=complaint, summary=spec.odv_summary, actor=coordinator
        )
    if spec.state == ComplaintStatus.RISPOSTO:
        return
    actions.complaint_close(
        complaint=complaint,
        root_cause=spec.root_cause,
        corrective_action=spec.corrective_action,
        complainant_satisfied=spec.satisfied,
        actor=coordinator,
    )


def receipt_code() -> str:
    """A fresh receipt code (``XXXX-XXXX-XXXX``): only its digest is stored."""
    groups = ("".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(4)) for _ in range(3))
    return "-".join(groups)


def _public_submit(complaint: Complaint) -> None:
    """Write ``complaint`` as the public web form does: no staff author, the next protocol
    number of the year under the counter's lock, the due date of its category, a receipt code
    (its digest stored; the code is not kept: nobody signs in as the demo's citizen) and the
    system's first step on the timeline; the service's Coordinatori are told."""
    with audit_context(None, source="seed_demo"):
        complaint.status = ComplaintStatus.RICEVUTO
        complaint.created_by = None
        complaint.created_at = timezone.now()
        complaint.due_date = timezone.localdate(complaint.received_at) + datetime.timedelta(
            days=complaint.category.due_days
        )
        complaint.flagged_to_odv = complaint.category.is_conduct
        complaint.receipt_code_hash = receipt_digest(receipt_code())
        # created_by stays empty (the web form); year and number come from the counter below.
        complaint.full_clean(exclude=["year", "number", "created_by"])
        complaint.year = timezone.localdate().year
        complaint.number = actions._next_number(complaint.year)
        complaint.save()
        entry = TimelineEntry(complaint=complaint, step=ComplaintStep.REGISTRATO, actor=None)
        entry.full_clean(exclude=["complaint", "actor"])
        entry.save()
        notices.complaint_registered(complaint=complaint, actor=None)

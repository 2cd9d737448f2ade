"""``manage.py generate_synthetic``: years of data for scale tests and benchmarks.

It lives in ``budgets`` because it builds on the apps below it: ``services.synthetic`` first,
then ``archive.synthetic``, ``budgets.synthetic`` and ``complaints.synthetic`` (an app imports
only from the floors below it, DESIGN.md; ``complaints`` shares the floor of ``budgets`` and
builds only on ``services.synthetic``). Later apps extend it by adding their generator after
these.
"""

from __future__ import annotations

import datetime
import re
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.actions import roles_sync
from accounts.audit import audit_context
from accounts.synthetic import audit_events_write
from archive import synthetic as archive_synthetic
from budgets import synthetic as budgets_synthetic
from complaints import synthetic as complaints_synthetic
from services import synthetic as services_synthetic


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Genera dati sintetici (servizi, contratti, assegnazioni, erogazioni, indicatori, "
        "riunioni, emergenze, documenti d'archivio, budget, costi effettivi, reclami) per prove "
        "di carico. Archivio: 167 documenti per servizio, anno e unità di scala (circa 200.000 "
        "con 10 anni, 12 servizi, scala 10), uno su dieci con una seconda versione, più alcuni "
        "documenti con il termine di conservazione scaduto; sono record veri con file piccoli "
        "e reali, pochi file condivisi per impronta (indirizzati per contenuto) tra tutte le "
        "versioni. Reclami: circa 125 per servizio e anno per unità di scala (circa 1.500 "
        "l'anno con 12 servizi, 15.000 con scala 10), su tutti i canali, le categorie e gli "
        "stati, con i passaggi della loro storia, tempi di risposta realistici e alcuni "
        "scaduti; numeri di protocollo senza buchi per anno, dopo il contatore dell'anno."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--years", type=_positive, default=10, help="anni di storia (10)")
        parser.add_argument("--services", type=_positive, default=12, help="servizi (12)")
        parser.add_argument(
            "--scale",
            type=_positive,
            default=1,
            help="moltiplica il volume di ogni servizio (lotti, righe, operatori): 1, 10, …",
        )
        parser.add_argument("--seed", type=int, default=2026, help="seme casuale (2026)")
        parser.add_argument(
            "--prefix",
            default="sint",
            help="prefisso di codici servizio e nomi utente; un altro prefisso aggiunge dati",
        )

        parser.add_argument(
            "--audit-events",
            type=_positive,
            help="aggiunge N eventi al registro attività, distribuiti sugli anni (prove del "
            "Registro attività)",
        )
        parser.add_argument(
            "--solo-eventi",
            action="store_true",
            help="con --audit-events: scrive solo gli eventi, sui dati già presenti",
        )

    def handle(self, *args, **options) -> None:
        if options["solo_eventi"]:
            if not options["audit_events"]:
                raise CommandError("--solo-eventi richiede --audit-events N.")
            self._audit_events(options["audit_events"], options["years"])
            return
        prefix = options["prefix"]
        if not re.fullmatch(r"[a-z0-9]{1,10}", prefix):
            raise CommandError("--prefix: da 1 a 10 lettere minuscole o cifre.")
        if services_synthetic.existing_prefix(prefix):
            raise CommandError(
                f"Esistono già dati sintetici con prefisso «{prefix}»: usa un altro --prefix."
            )
        started = time.monotonic()
        roles_sync()
        # One transaction: all or nothing, and one audit context whose row is written in it.
        # Triggers no longer read pgtrigger.ignore (accounts/triggers.py), so the per-row cost
        # of its missing-variable check is gone without any session setting.
        with audit_context(None, source="generate_synthetic"), transaction.atomic():
            data = services_synthetic.generate(
                years=options["years"],
                services=options["services"],
                scale=options["scale"],
                seed=options["seed"],
                prefix=prefix,
            )
            archive_synthetic.generate(data=data)
            budgets_synthetic.generate(data=data)
            complaints_synthetic.generate(data=data)
        elapsed = time.monotonic() - started
        if options["audit_events"]:
            self._audit_events(options["audit_events"], options["years"])
        width = max(len(name) for name in data.counts)
        for name, count in data.counts.items():
            self.stdout.write(f"  {name:<{width}}  {_thousands(count):>9}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Dati sintetici «{prefix}» pronti: {data.years[0]}–{data.years[-1]}, "
                f"{len(data.services)} servizi, scala {data.scale}, "
                f"{_thousands(sum(data.counts.values()))} righe in {elapsed:.1f} s."
            )
        )

    def _audit_events(self, count: int, years: int) -> None:
        started = time.monotonic()
        until = timezone.now()
        since = until - datetime.timedelta(days=365 * years)
        with transaction.atomic():
            written = audit_events_write(count=count, since=since, until=until)
        self.stdout.write(
            self.style.SUCCESS(
                f"Registro attività: {_thousands(sum(written.values()))} eventi in "
                f"{len(written)} tabelle in {time.monotonic() - started:.1f} s."
            )
        )


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")

"""``manage.py archive_integrity_check``: re-hash every stored file of the archive now."""

from __future__ import annotations

import uuid

from django.core.management.base import BaseCommand, CommandError

from archive.actions import BATCH_SIZE, integrity_check_run
from archive.models import IntegrityOrigin


class Command(BaseCommand):
    help = (
        "Verifica l'integrità dei file dell'archivio (impronta SHA-256 di ogni versione) e "
        "registra il risultato; i file mancanti, alterati o non rimossi sono notificati a "
        "Direttore e OdV."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help="Versioni lette dal database per volta (predefinito: %(default)s).",
        )

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size deve essere almeno 1.")
        check = integrity_check_run(
            run_key=f"comando-{uuid.uuid4()}", origin=IntegrityOrigin.COMMAND, batch_size=batch_size
        )
        self.stdout.write(
            f"Verifica {check.pk}: {check.files_checked} file ({check.versions_checked} versioni, "
            f"{check.bytes_checked} byte) in {check.duration.total_seconds():.1f} s; "
            f"{check.failure_count} mancanti, alterati o non rimossi."
        )
        if check.failure_count:
            raise CommandError(f"{check.failure_count} file mancanti, alterati o non rimossi.")

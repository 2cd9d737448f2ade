"""Time the archive's daily disposal sweep (Prot. 10 §6) against the current database.

Runs what the beat task ``archive.tasks.disposal_sweep`` runs: the candidates (past retention,
kept, not on hold, in no proposal) read in chunks of ids, counted, and the Direttore told.
Prints the number of candidates, the elapsed seconds and the peak resident memory of the
process (``resource.getrusage``), so that a 200,000-document archive can show that memory
stays bounded. ``--dry-run`` counts without notifying. See bench/README.md.

    DATABASE_URL=... .venv/bin/python bench/archive_sweep.py [--dry-run] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "segrate_compliance.settings")
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()


def _peak_rss_mib() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="count only, notify nobody")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    _setup()
    from archive import actions
    from archive.models import Document

    documents = Document.objects.count()
    before = _peak_rss_mib()
    started = time.perf_counter()
    count = actions.candidate_count() if args.dry_run else actions.disposal_sweep()
    elapsed = time.perf_counter() - started
    result = {
        "documents": documents,
        "candidates": count,
        "seconds": round(elapsed, 3),
        "peak_rss_mib_before": round(before, 1),
        "peak_rss_mib": round(_peak_rss_mib(), 1),
        "notified": not args.dry_run,
    }
    if args.json:
        print(json.dumps(result))  # noqa: T201 - a command-line report
    else:
        for key, value in result.items():
            print(f"{key:>20}: {value}")  # noqa: T201 - a command-line report
    return 0


if __name__ == "__main__":
    sys.exit(main())

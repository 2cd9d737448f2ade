"""Time one integrity check of the archive on the current database and its peak memory.

Runs ``archive.actions.integrity_check_run`` in process (every stored file of the documents
kept re-hashed, in batches of ``--batch-size`` ids, each file streamed in blocks) and prints
the elapsed time, the files, versions and bytes read, the failures and the peak resident
memory of the process (``resource.getrusage``: ru_maxrss, kilobytes on Linux), before and
after the check. The check is recorded (origin "comando") and failures are notified, as
``manage.py archive_integrity_check`` would.

    .venv/bin/python bench/archive_integrity.py [--batch-size 500] [--json]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_pages  # next to this script


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    bench_pages.setup()

    from archive.actions import BATCH_SIZE, integrity_check_run
    from archive.models import IntegrityOrigin

    before = _peak_rss_mb()
    start = time.perf_counter()
    check = integrity_check_run(
        run_key=f"bench-{uuid.uuid4()}",
        origin=IntegrityOrigin.COMMAND,
        batch_size=args.batch_size or BATCH_SIZE,
    )
    elapsed = time.perf_counter() - start
    result = {
        "elapsed_s": round(elapsed, 2),
        "files": check.files_checked,
        "versions": check.versions_checked,
        "bytes": check.bytes_checked,
        "failures": check.failure_count,
        "peak_rss_mb_before": round(before, 1),
        "peak_rss_mb_after": round(_peak_rss_mb(), 1),
        "batch_size": args.batch_size or BATCH_SIZE,
    }
    if args.json:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        rate = check.bytes_checked / elapsed / 1e6 if elapsed else 0
        sys.stdout.write(
            f"{result['elapsed_s']} s; {result['files']} file, {result['versions']} versioni, "
            f"{result['bytes']} byte ({rate:.1f} MB/s); {result['failures']} non integri; "
            f"RSS di picco {result['peak_rss_mb_before']} → {result['peak_rss_mb_after']} MB\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

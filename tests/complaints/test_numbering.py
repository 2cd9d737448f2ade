"""Protocol numbers under concurrency, on PostgreSQL with real connections (one a thread).

Issue 10: 20 complaints created in parallel get 20 distinct consecutive numbers with no gap,
and a registration that rolls back leaves no gap either.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from complaints.models import Complaint, ProtocolCounter
from tests.complaints.builders import categories, register

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 20


class Rollback(Exception):
    """Raised after a registration to roll its transaction back."""


def _in_parallel(work, count: int) -> list[BaseException]:
    """Run ``work(index)`` in ``count`` threads started together; the errors they raised."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            work(index)
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            connection.close()  # each thread's own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a registration hung"
    return errors


def test_twenty_parallel_registrations_get_twenty_consecutive_numbers(services, users):
    """Each of 20 threads registers one complaint at the same moment: numbers 1..20, once
    each, and the year's counter says 20."""
    categories()
    service, actor = services["sad"], users["operatore"]
    errors = _in_parallel(lambda index: register(service=service, actor=actor), THREADS)
    assert errors == []
    year = timezone.localdate().year
    numbers = sorted(Complaint.objects.filter(year=year).values_list("number", flat=True))
    assert numbers == list(range(1, THREADS + 1))
    assert ProtocolCounter.objects.get(year=year).last_number == THREADS


def test_rolled_back_registrations_leave_no_gap(services, users):
    """Every fourth of 20 parallel registrations rolls back after taking its number: the 15
    that commit hold 1..15, and the next one gets 16."""
    categories()
    service, actor = services["sad"], users["operatore"]

    def work(index: int) -> None:
        with transaction.atomic():
            register(service=service, actor=actor)
            if index % 4 == 0:
                raise Rollback

    errors = _in_parallel(work, THREADS)
    assert len(errors) == 5 and all(isinstance(error, Rollback) for error in errors)
    year = timezone.localdate().year
    numbers = sorted(Complaint.objects.filter(year=year).values_list("number", flat=True))
    assert numbers == list(range(1, 16))
    assert register(service=service, actor=actor).number == 16


def test_a_failed_registration_gives_its_number_back(services, users):
    """A registration whose transaction fails after the number was taken (here: the first
    step of the timeline cannot be written) leaves the counter where it was."""
    categories()
    service, actor = services["sad"], users["operatore"]
    first = register(service=service, actor=actor)
    with pytest.raises(Rollback), transaction.atomic():
        register(service=service, actor=actor)
        raise Rollback
    assert register(service=service, actor=actor).number == first.number + 1

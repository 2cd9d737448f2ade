"""The register's figures (complaints.statistics) against the hand-counted register of
``figures_fixture`` (its table): every expected number is written out, counted by hand."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from complaints.statistics import (
    Figures,
    complaint_figures,
    complaint_figures_by,
    quarter_bounds,
    quarter_of,
)
from tests.complaints.figures_fixture import ROME, build_register, rome

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
Q1 = quarter_bounds(2025, 1)
D = Decimal


@pytest.fixture
def register_2025(services, users):
    return build_register(services)


def test_quarter_bounds_are_rome_midnights():
    """Q1 2025 runs from 1 January 00:00 to 1 April 00:00, Rome: 23:00 UTC of 31 December
    (winter time) to 22:00 UTC of 31 March (summer time since 30 March)."""
    start, end = Q1
    assert (start, end) == (rome(2025, 1, 1), rome(2025, 4, 1))
    assert start == datetime.datetime(2024, 12, 31, 23, tzinfo=UTC)
    assert end == datetime.datetime(2025, 3, 31, 22, tzinfo=UTC)
    assert quarter_bounds(2025, 4) == (rome(2025, 10, 1), rome(2026, 1, 1))
    with pytest.raises(ValueError):
        quarter_bounds(2025, 5)


def test_late_evening_of_the_quarters_last_day_is_in_that_quarter():
    """31 March 23:30 Rome is 21:30 UTC (summer time) and belongs to Q1; 31 December 23:30
    Rome is 22:30 UTC (winter time) and belongs to Q4; 1 April 00:30 Rome (22:30 UTC of 31
    March) belongs to Q2."""
    march = datetime.datetime(2025, 3, 31, 21, 30, tzinfo=UTC)
    assert march == rome(2025, 3, 31, 23, 30)
    start, end = Q1
    assert start <= march < end and quarter_of(march) == (2025, 1)
    december = datetime.datetime(2025, 12, 31, 22, 30, tzinfo=UTC)
    assert december == rome(2025, 12, 31, 23, 30)
    q4_start, q4_end = quarter_bounds(2025, 4)
    assert q4_start <= december < q4_end and quarter_of(december) == (2025, 4)
    april = datetime.datetime(2025, 3, 31, 22, 30, tzinfo=UTC)
    assert not april < end and quarter_of(april) == (2025, 2)


def test_first_quarter_figures(register_2025, users):
    """Q1 2025 for the OdV, who counts every complaint: received B C D F G I; closed A B I;
    open at the end C D F G H; overdue at the end F G; answered in Q1 A(21) B(10) C(4)
    H(141) I(2): average 35.6, median 10."""
    figures = complaint_figures(user=users["odv"], start=Q1[0], end=Q1[1])
    assert figures == Figures(
        received=6,
        closed=3,
        open=5,
        overdue=2,
        avg_days_to_response=D("35.6"),
        median_days_to_response=D("10.0"),
    )


def test_previous_and_next_quarter_figures(register_2025, users):
    """Q4 2024: received A H (not I, received at 23:30 UTC of 31 December but in 2025 in
    Rome); open A H; overdue H; nothing answered. Q2 2025: received E; closed G; open C D E F
    H; overdue D E F; answered G (40 days)."""
    q4 = complaint_figures(user=users["odv"], start=rome(2024, 10, 1), end=rome(2025, 1, 1))
    assert q4 == Figures(2, 0, 2, 1, None, None)
    q2 = complaint_figures(user=users["odv"], start=rome(2025, 4, 1), end=rome(2025, 7, 1))
    assert q2 == Figures(1, 1, 5, 3, D("40.0"), D("40.0"))


def test_a_period_not_yet_ended_counts_overdue_today(register_2025, users):
    """From 1 January 2025 to tomorrow: overdue are those without a response past their due
    date today (D E F), open those not closed (C D E F H)."""
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    figures = complaint_figures(user=users["odv"], start=Q1[0], end=tomorrow)
    assert (figures.received, figures.closed, figures.open, figures.overdue) == (7, 4, 5, 3)
    # Answered since 1 January 2025: A B C G H I → 21 10 4 40 141 2.
    assert figures.avg_days_to_response == D("36.3")
    assert figures.median_days_to_response == D("15.5")


def test_narrowed_by_service_category_channel_and_state(register_2025, users, services):
    """Each narrowing applies to every figure alike."""
    odv, (start, end) = users["odv"], Q1
    assert complaint_figures(user=odv, start=start, end=end, service=services["sad"]) == Figures(
        3, 2, 3, 1, D("44.0"), D("15.5")
    )
    assert complaint_figures(user=odv, start=start, end=end, channel="telefono") == Figures(
        2, 1, 3, 1, D("55.3"), D("21.0")
    )
    qualita = register_2025["A"].category
    assert complaint_figures(user=odv, start=start, end=end, category=qualita) == Figures(
        3, 2, 3, 1, D("57.3"), D("21.0")
    )
    assert complaint_figures(user=odv, start=start, end=end, status="risposto") == Figures(
        1, 0, 2, 0, D("72.5"), D("72.5")
    )


def test_figures_by_service(register_2025, users):
    assert complaint_figures_by(user=users["odv"], start=Q1[0], end=Q1[1], dimension="service") == [
        ("SAD", Figures(3, 2, 3, 1, D("44.0"), D("15.5"))),
        ("SIMF", Figures(3, 1, 2, 1, D("2.0"), D("2.0"))),
    ]


def test_figures_by_category(register_2025, users):
    assert complaint_figures_by(
        user=users["odv"], start=Q1[0], end=Q1[1], dimension="category"
    ) == [
        ("Aspetti amministrativi", Figures(1, 1, 0, 0, D("2.0"), D("2.0"))),
        ("Comportamento di un operatore", Figures(1, 0, 1, 1, None, None)),
        ("Qualità del servizio", Figures(3, 2, 3, 1, D("57.3"), D("21.0"))),
        ("Tempi", Figures(1, 0, 1, 0, D("4.0"), D("4.0"))),
    ]


def test_figures_by_channel(register_2025, users):
    """In the order of the channels' choices; E-mail, PEC, Lettera, Di persona have one."""
    assert complaint_figures_by(user=users["odv"], start=Q1[0], end=Q1[1], dimension="channel") == [
        ("Telefono", Figures(2, 1, 3, 1, D("55.3"), D("21.0"))),
        ("E-mail", Figures(1, 1, 0, 0, D("10.0"), D("10.0"))),
        ("PEC", Figures(1, 1, 0, 0, D("2.0"), D("2.0"))),
        ("Lettera", Figures(1, 0, 1, 0, None, None)),
        ("Di persona", Figures(1, 0, 1, 1, None, None)),
    ]


def test_figures_by_state(register_2025, users):
    """By today's state: E (ricevuto) received in Q2 is not counted in Q1."""
    assert complaint_figures_by(user=users["odv"], start=Q1[0], end=Q1[1], dimension="status") == [
        ("Ricevuto", Figures(1, 0, 1, 1, None, None)),
        ("In istruttoria", Figures(1, 0, 1, 0, None, None)),
        ("Risposto", Figures(1, 0, 2, 0, D("72.5"), D("72.5"))),
        ("Chiuso", Figures(3, 3, 1, 1, D("11.0"), D("10.0"))),
    ]


def test_figures_count_only_what_the_user_may_count(register_2025, users):
    """SIMF's Coordinatore counts SIMF's complaints, the Operatore SAD's, the Direttore every
    one; the Sindaco Unico none."""
    start, end = Q1
    simf = Figures(3, 1, 2, 1, D("2.0"), D("2.0"))
    sad = Figures(3, 2, 3, 1, D("44.0"), D("15.5"))
    assert complaint_figures(user=users["coord_simf"], start=start, end=end) == simf
    assert complaint_figures(user=users["operatore"], start=start, end=end) == sad
    assert complaint_figures(user=users["direttore"], start=start, end=end).received == 6
    assert complaint_figures(user=users["sindaco"], start=start, end=end) == Figures(
        0, 0, 0, 0, None, None
    )
    assert complaint_figures_by(
        user=users["coord_simf"], start=start, end=end, dimension="service"
    ) == [("SIMF", simf)]


def test_unknown_dimension_and_empty_period_are_refused(users):
    with pytest.raises(ValueError):
        complaint_figures_by(user=users["odv"], start=Q1[0], end=Q1[1], dimension="name")
    with pytest.raises(ValueError):
        complaint_figures(user=users["odv"], start=Q1[1], end=Q1[0])


def _grow(services, users, count: int) -> None:
    """``count`` more complaints received in Q1 2025, half of them answered."""
    from complaints.models import Complaint
    from tests.complaints.builders import answered, assigned, register

    coordinator = services["coord_sad"]
    for index in range(count):
        complaint = register(
            service=services["sad"],
            actor=coordinator,
            received_at=rome(2025, 2, 1 + index % 27, 9),
            channel=["telefono", "email", "pec"][index % 3],
        )
        if index % 2:
            complaint = answered(
                assigned(complaint, actor=coordinator, assignee=coordinator), actor=coordinator
            )
            Complaint.objects.filter(pk=complaint.pk).update(
                response_date=datetime.date(2025, 3, 1)
            )


@pytest.mark.parametrize("extra", [3, 30])
def test_statistics_run_one_query_whatever_the_data(
    register_2025, users, services, extra, django_assert_num_queries
):
    """One query for the figures, one for each breakdown, with 12 or 39 complaints (the
    database aggregates; nothing loops over complaints in Python), plus one that reads the
    OdV's roles (kept only within a request, by accounts.authz_cache)."""
    _grow(services, users, extra)
    odv = users["odv"]
    assert complaint_figures(user=odv, start=Q1[0], end=Q1[1]).received == 6 + extra
    with django_assert_num_queries(2):
        complaint_figures(user=odv, start=Q1[0], end=Q1[1], service=services["sad"])
    for dimension in ("service", "category", "channel", "status"):
        with django_assert_num_queries(2):
            complaint_figures_by(user=odv, start=Q1[0], end=Q1[1], dimension=dimension)


def test_rome_calendar_counts_days_to_response(register_2025, users):
    """I: received 00:30 of 1 January (Rome), 23:30 UTC of 31 December; answered 3 January:
    2 days, not 3."""
    figures = complaint_figures(
        user=users["odv"], start=Q1[0], end=Q1[1], category=register_2025["I"].category
    )
    assert figures.avg_days_to_response == D("2.0")
    assert register_2025["I"].received_at.astimezone(ROME).date() == datetime.date(2025, 1, 1)

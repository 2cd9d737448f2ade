"""Demo data (``seed_demo``) and synthetic data (``generate_synthetic``) are consistent."""

from __future__ import annotations

import datetime
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Q
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import User
from budgets.models import (
    ActualCost,
    Budget,
    BudgetStatus,
    BudgetStep,
    BudgetVersion,
    HourPlanLine,
    OtherCostLine,
    TimelineEntry,
)
from services.models import (
    DeliveryRecord,
    Emergency,
    Service,
    ServiceAssignment,
    Statement,
    StatementStatus,
)
from services.permissions import service_visible_to

OPEN = [BudgetStatus.BOZZA, BudgetStatus.PROPOSTO, BudgetStatus.RESTITUITO]
DEMO_MODELS = [
    Service,
    ServiceAssignment,
    DeliveryRecord,
    Emergency,
    Statement,
    Budget,
    BudgetVersion,
    HourPlanLine,
    OtherCostLine,
    TimelineEntry,
    ActualCost,
]


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in DEMO_MODELS}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """``seed_demo`` run twice, shared by this module's tests and rolled back at its end.

    Returns the counts after the first and after the second run.
    """
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            MEDIA_ROOT=tmp_path_factory.mktemp("demo-media"),
        ),
        transaction.atomic(),
    ):
        call_command("seed_demo", stdout=StringIO())
        first = _counts()
        call_command("seed_demo", stdout=StringIO())
        yield {"first": first, "second": _counts()}
        transaction.set_rollback(True)


def _latest(code: str, year: int) -> BudgetVersion:
    return (
        BudgetVersion.objects.filter(budget__service__code=code, budget__year=year)
        .order_by("-number")
        .first()
    )


@pytest.mark.django_db
def test_seed_demo_runs_twice_and_the_second_run_adds_nothing(demo):
    """The seeders are idempotent: a second ``seed_demo`` finds everything in place."""
    assert demo["first"] == demo["second"]
    assert demo["first"]["Service"] == 4
    assert demo["first"]["Budget"] == 8


@pytest.mark.django_db
def test_demo_budgets_show_every_state_of_the_workflow(demo):
    """Last year all approved; this year SIMF approvato, Affidi proposto, SAD bozza,
    Contributi Economici restituito with the AU's comment."""
    today = timezone.localdate()
    for code in ("simf", "affidi", "sad", "contributi"):
        version = _latest(code, today.year - 1)
        assert version.status == BudgetStatus.APPROVATO
        assert version.hour_lines.exists() and version.cost_lines.exists()
        steps = list(version.timeline.values_list("step", "actor__username"))
        assert steps == [
            (BudgetStep.CREATO, "direttore"),
            (BudgetStep.PROPOSTO, "direttore"),
            (BudgetStep.APPROVATO, "au"),
        ]
    assert {
        code: _latest(code, today.year).status for code in ("simf", "affidi", "sad", "contributi")
    } == {
        "simf": BudgetStatus.APPROVATO,
        "affidi": BudgetStatus.PROPOSTO,
        "sad": BudgetStatus.BOZZA,
        "contributi": BudgetStatus.RESTITUITO,
    }
    sad = _latest("sad", today.year)
    assert sad.created_by.username == "coord.sad"
    assert sad.hour_lines.exists() and not sad.cost_lines.exists()
    returned = _latest("contributi", today.year).timeline.get(step=BudgetStep.RESTITUITO)
    assert returned.actor.username == "au" and returned.comment


@pytest.mark.django_db
def test_demo_coordinators_see_exactly_their_own_services(demo):
    """coord.simf: SIMF and Ufficio Affidi; coord.sad: SAD and Contributi; operatore: SAD."""

    def visible(username):
        user = User.objects.get(username=username)
        return set(service_visible_to(user).values_list("code", flat=True))

    assert visible("coord.simf") == {"simf", "affidi"}
    assert visible("coord.sad") == {"sad", "contributi"}
    assert visible("operatore") == {"sad"}
    assert len(visible("direttore")) == 4


@pytest.mark.django_db
def test_demo_has_deliveries_costs_and_emergencies(demo):
    """Every month from January of last year to last month per contract and qualification
    (so last year's budget has its actuals), actuals up to last month,
    one open and one closed emergency, and an issued statement equal to its records."""
    today = timezone.localdate()
    this_month = today.replace(day=1)
    months = DeliveryRecord.objects.values("contract", "qualification").annotate(
        n=Count("month", distinct=True)
    )
    assert {row["n"] for row in months} == {12 + today.month - 1}
    assert not DeliveryRecord.objects.filter(month__gte=this_month).exists()
    assert not ActualCost.objects.filter(month__gte=this_month).exists()
    assert ActualCost.objects.filter(month__year=today.year - 1).dates("month", "month").count()
    assert Emergency.objects.filter(closed_at__isnull=True).count() == 1
    assert Emergency.objects.filter(closed_at__isnull=False).count() == 1
    statement = Statement.objects.get(status=StatementStatus.EMESSO)
    assert statement.contract.service.code == "sad"
    reported = sum(record.hours for record in statement.deliveries.all())
    assert reported == statement.total_hours > 0


def _generate(**options) -> str:
    out = StringIO()
    call_command("generate_synthetic", stdout=out, **options)
    return out.getvalue()


def _signature(prefix: str) -> list[tuple]:
    """The generated delivery figures, with the prefix taken out of the service codes."""
    return [
        (code.removeprefix(prefix), month, qualification, hours, people)
        for code, month, qualification, hours, people in DeliveryRecord.objects.filter(
            contract__service__code__startswith=f"{prefix}-"
        )
        .order_by("contract__service__code", "month", "qualification__code", "pk")
        .values_list(
            "contract__service__code", "month", "qualification__code", "hours", "people_served"
        )
    ]


@pytest.mark.django_db
def test_generate_synthetic_builds_consistent_data(roles):
    """Every budget has at most one open version, approved versions have lines, months are
    first days inside their contract, and current coordinators hold their permissions."""
    output = _generate(years=2, services=3, prefix="t")
    assert "servizi" in output and "righe in" in output
    today = timezone.localdate()
    budgets = Budget.objects.filter(service__code__startswith="t-")
    assert budgets.count() == 6
    assert set(budgets.values_list("year", flat=True)) == {today.year - 1, today.year}
    open_versions = budgets.annotate(
        open=Count("versions", filter=Q(versions__status__in=OPEN))
    ).values_list("open", flat=True)
    assert max(open_versions) <= 1
    approved = BudgetVersion.objects.filter(
        budget__in=budgets, status=BudgetStatus.APPROVATO
    ).annotate(hours=Count("hour_lines", distinct=True), costs=Count("cost_lines", distinct=True))
    assert approved.exists()
    assert all(version.hours and version.costs for version in approved)
    assert not (
        BudgetVersion.objects.filter(budget__in=budgets, budget__year__lt=today.year)
        .exclude(status=BudgetStatus.APPROVATO)
        .exists()
    )

    records = DeliveryRecord.objects.filter(contract__service__code__startswith="t-")
    assert records.exists()
    for record in records.select_related("contract"):
        assert record.month.day == 1
        assert record.contract.start_date <= record.month <= record.contract.end_date
        assert record.month < today.replace(day=1)
    assert (
        not ActualCost.objects.filter(service__in=budgets.values("service"))
        .exclude(month__day=1)
        .exists()
    )

    for service in Service.objects.filter(code__startswith="t-"):
        current = service.assignments.get(role="coordinatore", valid_to__isnull=True)
        assert service_visible_to(current.user).filter(pk=service.pk).exists()
        former = service.assignments.filter(role="coordinatore", valid_to__isnull=False)
        for assignment in former:
            assert not service_visible_to(assignment.user).filter(pk=service.pk).exists()


@pytest.mark.django_db
def test_generate_synthetic_is_deterministic_and_scales(roles):
    """The same seed gives the same figures; ``--scale 2`` doubles each service's rows."""
    _generate(years=1, services=2, prefix="a")
    _generate(years=1, services=2, prefix="b")
    _generate(years=1, services=2, prefix="c", scale=2)
    assert _signature("a") == _signature("b")
    assert len(_signature("c")) == 2 * len(_signature("a")) > 0

    def lines(prefix):
        return Counter(
            HourPlanLine.objects.filter(
                version__budget__service__code__startswith=f"{prefix}-"
            ).values_list("version__budget__year", flat=True)
        )

    assert {year: 2 * n for year, n in lines("a").items()} == lines("c")


@pytest.mark.django_db
def test_generate_synthetic_refuses_a_prefix_already_used(roles):
    """Running twice with the same prefix fails cleanly instead of mixing data sets."""
    _generate(years=1, services=1, prefix="d")
    with pytest.raises(CommandError, match="prefisso"):
        _generate(years=1, services=1, prefix="d")
    assert Service.objects.filter(code__startswith="d-").count() == 1


def test_demo_months_helpers_are_calendar_correct():
    """Last complete months and last quarter, across a year boundary."""
    from services.demo import last_complete_months, last_quarter

    january = datetime.date(2026, 1, 15)
    assert last_complete_months(january)[0] == datetime.date(2025, 1, 1)
    assert last_complete_months(january)[-1] == datetime.date(2025, 12, 1)
    assert last_quarter(january) == (datetime.date(2025, 10, 1), datetime.date(2025, 12, 31))
    assert last_quarter(datetime.date(2026, 11, 26)) == (
        datetime.date(2026, 7, 1),
        datetime.date(2026, 9, 30),
    )


def test_demo_statements_and_approved_budgets_are_archive_documents(demo):
    """Issue 9: every issued demo statement and every approved demo budget version has its
    sealed PDF in the archive, once (seed_demo ran twice)."""
    from django.contrib.contenttypes.models import ContentType

    from archive.models import DocumentLink

    for records in (
        Statement.objects.filter(status=StatementStatus.EMESSO),
        BudgetVersion.objects.filter(status=BudgetStatus.APPROVATO),
    ):
        assert records.exists()
        content_type = ContentType.objects.get_for_model(records.model)
        for record in records:
            links = DocumentLink.objects.filter(content_type=content_type, object_id=str(record.pk))
            assert links.count() == 1
            assert links.get().document.versions.get().kind == "pdf"


@pytest.mark.django_db
def test_demo_has_one_waiting_access_request_of_the_odv(demo):
    """Prot. 10 §6: the OdV asks for the SAD documents of last year; nobody decided yet."""
    from django.utils import timezone

    from archive.models import AccessRequest

    request = AccessRequest.objects.select_related("service").get(requester__username="odv")
    assert request.service.code == "sad" and request.state == "in_attesa"
    assert request.date_from.year == timezone.localdate().year - 1

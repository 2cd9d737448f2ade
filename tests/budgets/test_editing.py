"""Editing lines: no lost update, bad input refused in Italian with nothing saved."""

from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budgets import actions
from budgets.forms import HourPlanLineForm
from budgets.models import HourPlanLine

CONFLICT = "le tue modifiche NON sono state salvate"


def _hours_post(version, lines, *, lock_version, extra=()):
    """POST data for the hour-plan formset: existing ``lines`` (id, values) plus new rows."""
    data = {
        "lock_version": str(lock_version),
        "form-TOTAL_FORMS": str(len(lines) + len(extra)),
        "form-INITIAL_FORMS": str(len(lines)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for index, (line, values) in enumerate([*lines, *[(None, row) for row in extra]]):
        if line is not None:
            data[f"form-{index}-id"] = str(line.pk)
        for field, value in values.items():
            data[f"form-{index}-{field}"] = value
    return data


def _values(line, **changes):
    values = {
        "qualification": str(line.qualification_id),
        "headcount": str(line.headcount),
        "weekly_hours": str(line.weekly_hours),
        "weeks": str(line.weeks),
        "hourly_cost": str(line.hourly_cost),
    }
    values.update({key: str(value) for key, value in changes.items()})
    return values


def test_the_second_of_two_concurrent_saves_gets_a_conflict_and_keeps_its_typing(
    simf_draft, users, client
):
    """Both read lock_version N; the first save wins, the second sees its own values back."""
    url = reverse("budgets:version_hours", args=[simf_draft.pk])
    line = simf_draft.hour_lines.get()
    read_lock = simf_draft.lock_version

    client.force_login(users["direttore"])
    first = client.post(
        url, _hours_post(simf_draft, [(line, _values(line, weeks=40))], lock_version=read_lock)
    )
    assert first.status_code == 302

    client.force_login(users["coord_simf"])
    second = client.post(
        url, _hours_post(simf_draft, [(line, _values(line, weeks="41.5"))], lock_version=read_lock)
    )
    body = second.content.decode()
    assert second.status_code == 200
    assert CONFLICT in body
    assert 'value="41.5"' in body  # what the second person typed is still in the form
    line.refresh_from_db()
    assert line.weeks == Decimal("40")


def test_a_save_after_the_budget_was_proposed_is_a_conflict_not_an_error(simf_draft, users, client):
    """The Coordinatore was typing while the Direttore proposed the budget: nothing lost."""
    line = simf_draft.hour_lines.get()
    read_lock = simf_draft.lock_version
    actions.version_submit(version=simf_draft, actor=users["direttore"])
    client.force_login(users["coord_simf"])
    response = client.post(
        reverse("budgets:version_hours", args=[simf_draft.pk]),
        _hours_post(simf_draft, [(line, _values(line, weeks="39"))], lock_version=read_lock),
    )
    assert response.status_code == 200
    assert CONFLICT in response.content.decode()
    assert 'value="39"' in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("weekly_hours", "200", "24 ore al giorno"),
        ("weekly_hours", "90", "non sono plausibili"),
        ("weeks", "60", "53 settimane"),
        ("hourly_cost", "-5", "non può essere negativo"),
        ("headcount", "-1", "almeno una frazione di persona"),
        ("weekly_hours", "trenta", "Inserisci un numero"),
    ],
)
def test_absurd_or_non_numeric_values_are_refused_and_nothing_is_saved(
    simf_draft, users, client, field, value, message
):
    """One bad row among good ones: Italian error, no row saved, lock_version unchanged."""
    line = simf_draft.hour_lines.get()
    good_new_row = _values(line, weeks=10)
    data = _hours_post(
        simf_draft,
        [(line, _values(line, **{field: value}))],
        lock_version=simf_draft.lock_version,
        extra=[good_new_row],
    )
    client.force_login(users["direttore"])
    response = client.post(reverse("budgets:version_hours", args=[simf_draft.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert HourPlanLine.objects.filter(version=simf_draft).count() == 1
    simf_draft.refresh_from_db()
    line.refresh_from_db()
    assert str(simf_draft.lock_version) == data["lock_version"]
    assert str(getattr(line, field)) != value


numbers = st.one_of(
    st.decimals(
        allow_nan=False, allow_infinity=False, places=2, min_value=-(10**6), max_value=10**6
    ),
    st.integers(min_value=-(10**9), max_value=10**9),
    st.text(max_size=12),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(headcount=numbers, weekly_hours=numbers, weeks=numbers, hourly_cost=numbers)
def test_line_form_accepts_only_values_the_database_accepts(
    qualifications, headcount, weekly_hours, weeks, hourly_cost
):
    """Whatever is typed, the form never crashes, and what it accepts is within the rules."""
    form = HourPlanLineForm(
        data={
            "qualification": str(qualifications["educatore"].pk),
            "headcount": str(headcount),
            "weekly_hours": str(weekly_hours),
            "weeks": str(weeks),
            "hourly_cost": str(hourly_cost),
        }
    )
    if form.is_valid():
        line = form.instance
        assert Decimal("0") < line.headcount <= 500
        assert Decimal("0") < line.weekly_hours <= 60
        assert Decimal("0") < line.weeks <= 53
        assert Decimal("0") <= line.hourly_cost <= 1000
    else:
        assert form.errors

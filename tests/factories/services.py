"""Factories for services, contracts and delivery records."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory

from services.models import Contract, ContractRate, Qualification, Service


class QualificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Qualification
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"qualifica-{n}")
    name = factory.LazyAttribute(lambda q: q.code.replace("-", " ").capitalize())


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"servizio-{n}")
    name = factory.LazyAttribute(lambda s: f"Servizio {s.code}")
    kind = "altro"


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    service = factory.SubFactory(ServiceFactory)
    counterpart = "Comune di Segrate"
    contract_type = "appalto"
    reference = factory.Sequence(lambda n: f"CIG-{n:06d}")
    start_date = datetime.date(2025, 1, 1)
    end_date = datetime.date(2027, 12, 31)
    value = Decimal("500000.00")
    referent_name = "Ufficio Servizi Sociali"


class ContractRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContractRate

    contract = factory.SubFactory(ContractFactory)
    qualification = factory.SubFactory(QualificationFactory)
    hourly_rate = Decimal("25.00")

"""factory_boy factories for master data; tickets are made through the domain actions."""

from datetime import datetime, timezone
from decimal import Decimal

import factory

from gridgov.accounts.models import RoleGrant, User
from gridgov.areas.models import Area
from gridgov.tickets.models import Channel
from gridgov.units.models import Category, ResponsibilityRule, Unit


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    name = factory.Sequence(lambda n: f"区域{n}")
    level = 0
    code = factory.Sequence(lambda n: f"{430100 + n % 100:06d}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"unit-{n}")
    name = factory.Sequence(lambda n: f"单位{n}")
    kind = "department"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    code = factory.Sequence(lambda n: f"9{n:03d}")
    name = factory.Sequence(lambda n: f"事项{n}")
    level = 1


class RuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResponsibilityRule

    category = factory.SubFactory(CategoryFactory)
    effective_from = datetime(2020, 1, 1, tzinfo=timezone.utc)
    handler = "territorial"
    sign_limit = Decimal(1)
    sign_limit_unit = "work_hours"
    handle_limit = Decimal(10)
    handle_limit_unit = "work_days"


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel
        django_get_or_create = ("code",)

    code = "h12345"
    name = "12345热线"
    prefix = "RX"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.LazyAttribute(lambda o: o.username)
    password = factory.PostGenerationMethodCall("set_password", "pass-12345")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class GrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleGrant

    user = factory.SubFactory(UserFactory)
    role = "grid_worker"

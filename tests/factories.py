"""factory-boy factories for the domain's rows. Tickets made here skip intake on purpose: a test
that needs a ticket in a given state builds it directly; intake itself is tested through
``create_ticket``."""

from datetime import timedelta

import factory
from django.utils import timezone

from fivestar.accounts.models import Outlet, User
from fivestar.accounts.services import grant_roles
from fivestar.customers.models import Customer
from fivestar.products.models import (
    PartWarranty,
    ProductLine,
    ProductModel,
    Unit,
    WarrantyPolicy,
)
from fivestar.tickets.models import Channel, Priority, Status, Ticket, TicketType


class UserFactory(factory.django.DjangoModelFactory):
    """A user; ``roles=["technician", ...]`` grants roles after creation."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"员工{n}")
    is_active = True

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            grant_roles(user=self, roles=list(extracted))


class OutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outlet

    code = factory.Sequence(lambda n: f"outlet-{n}")
    name = factory.Sequence(lambda n: f"网点{n}")
    province = "广东省"
    city = "深圳市"
    district = "南山区"


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"客户{n}")
    # 139 + 8 digits: a valid mainland mobile in E.164, distinct per row.
    phone = factory.Sequence(lambda n: f"+86139{n:08d}")
    email = None
    address = "广东省深圳市南山区科技园南路 1 号"


class ProductLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductLine
        django_get_or_create = ("code",)

    code = "aircon"
    name = "空调"


class WarrantyPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WarrantyPolicy
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"保修政策{n}")
    unit_months = 12


class PartWarrantyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartWarranty

    policy = factory.SubFactory(WarrantyPolicyFactory)
    part_name = "压缩机"
    months = 72


class ProductModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductModel
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"KFR-{n:03d}")
    name = "壁挂式空调"
    product_line = factory.SubFactory(ProductLineFactory)
    warranty_policy = factory.SubFactory(WarrantyPolicyFactory)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    product_model = factory.SubFactory(ProductModelFactory)
    serial_number = factory.Sequence(lambda n: f"SN{n:08d}")
    purchase_date = None
    customer = None


class TicketFactory(factory.django.DjangoModelFactory):
    """A ticket in any state, written directly (no event, no number allocation)."""

    class Meta:
        model = Ticket

    number = factory.Sequence(lambda n: f"SR-20000101-{n:06d}")
    type = TicketType.REPAIR
    channel = Channel.PHONE
    priority = Priority.P3
    proposed_priority = Priority.P3
    status = Status.NEW
    customer = factory.SubFactory(CustomerFactory)
    title = "空调不制冷"
    description = "空调开机后不制冷。"
    received_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=5))

"""The demo's organisation, catalogue and customers: created when missing, never duplicated.

Everything random is drawn first, from the caller's ``random.Random``, whatever already exists,
so that a second run draws the same values and finds them all in the database.
"""

import functools
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db.models import Q
from django.utils import timezone

from fivestar.accounts.models import CoverageArea, Department, Outlet, Role, Skill, User
from fivestar.customers.models import Contact, Customer, CustomerTier
from fivestar.customers.phones import normalize_phone
from fivestar.demo import data
from fivestar.products.models import PartWarranty, ProductLine, ProductModel, Unit, WarrantyPolicy

# Earlier demos put every member of staff in this group, with view rights on customers and
# tickets in the back office: the admin showed them every customer's details (issue 18).
# A demo database made then loses it on the next run.
_OLD_VIEWER_GROUP = "演示：后台只读"


@dataclass
class Counter:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, count: int = 1) -> None:
        self.created[name] = self.created.get(name, 0) + count


@functools.cache
def demo_password_hash() -> str:
    """One hash for every demo login: the password is the same, and hashing is the slow part."""
    return make_password(data.DEMO_PASSWORD)


# --- staff, outlets, skills -------------------------------------------------------------------


def ensure_outlets(counter: Counter) -> dict[str, Outlet]:
    outlets = {}
    for spec in data.OUTLETS:
        outlet, created = Outlet.objects.get_or_create(
            code=spec.code,
            defaults={"name": spec.name, "province": spec.province, "city": spec.city,
                      "district": spec.district, "address": spec.address, "phone": spec.phone},
        )
        if created:
            counter.add("outlets")
            CoverageArea.objects.bulk_create(
                CoverageArea(outlet=outlet, province=spec.province, city=spec.city,
                             district=district)
                for district in spec.districts
            )
        outlets[spec.code] = outlet
    return outlets


def ensure_catalogue(counter: Counter) -> dict[str, ProductLine]:
    lines = {}
    for spec in data.PRODUCT_LINES:
        line, created = ProductLine.objects.get_or_create(code=spec.code,
                                                          defaults={"name": spec.name})
        counter.add("product_lines", int(created))
        policy, created = WarrantyPolicy.objects.get_or_create(
            name=spec.policy.name, defaults={"unit_months": spec.policy.unit_months}
        )
        if created:
            counter.add("warranty_policies")
            PartWarranty.objects.bulk_create(
                PartWarranty(policy=policy, part_name=part, months=months)
                for part, months in spec.policy.parts
            )
        for code, name in spec.models:
            _model, created = ProductModel.objects.get_or_create(
                code=code,
                defaults={"name": f"{spec.name} {name}", "product_line": line,
                          "warranty_policy": policy},
            )
            counter.add("product_models", int(created))
        lines[spec.code] = line
    return lines


def ensure_skills(lines: dict[str, ProductLine], counter: Counter) -> dict[str, Skill]:
    skills = {}
    for spec in data.PRODUCT_LINES:
        skill, created = Skill.objects.get_or_create(
            code=spec.code, defaults={"name": f"{spec.name}维修", "product_line": lines[spec.code]}
        )
        counter.add("skills", int(created))
        skills[spec.code] = skill
    for code, name, ticket_type in data.TYPE_SKILLS:
        skill, created = Skill.objects.get_or_create(
            code=code, defaults={"name": name, "ticket_type": ticket_type}
        )
        counter.add("skills", int(created))
        skills[code] = skill
    return skills


def ensure_staff(outlets: dict[str, Outlet], skills: dict[str, Skill],
                 counter: Counter) -> dict[str, User]:
    existing = {user.username: user for user in
                User.objects.filter(username__in=[s.username for s in data.STAFF])}
    departments = {d.code: d for d in Department.objects.all()}
    roles = {role.code: role for role in Role.objects.all()}
    _retire_old_viewer_group()
    users = {}
    for spec in data.STAFF:
        user = existing.get(spec.username)
        if user is None:
            user = User.objects.create(
                username=spec.username, password=demo_password_hash(),
                display_name=spec.display_name,
                email=f"{spec.username}@fivestar.example.com",
                phone=f"+86139{10000000 + len(users) * 7919:08d}",
                department=departments.get(spec.department) if spec.department else None,
                outlet=outlets.get(spec.outlet) if spec.outlet else None,
                is_staff=_back_office(spec), is_superuser=spec.superuser,
            )
            user.roles.set([roles[code] for code in spec.roles])
            user.skills.set([skills[code] for code in spec.skills])
            counter.add("staff")
        users[spec.username] = user
        department = departments.get(spec.department) if spec.department else None
        # A department keeps a head an administrator has set; an empty seat gets the demo's.
        if department is not None and spec.heads and getattr(department,
                                                             f"{spec.heads}_id") is None:
            setattr(department, spec.heads, user)
            department.save(update_fields=[spec.heads])
    return users


def _back_office(spec: data.StaffData) -> bool:
    """Back-office rights for administrators only (SPEC §9: staff see what their role needs,
    and the workspace is where they work); quality auditors come in to read the personal-data
    access log, the one page open to them there."""
    return spec.superuser or "quality_auditor" in spec.roles


def _retire_old_viewer_group() -> None:
    group = Group.objects.filter(name=_OLD_VIEWER_GROUP).first()
    if group is None:
        return
    by_username = {spec.username: spec for spec in data.STAFF}
    for user in group.user_set.filter(username__in=by_username):
        if user.is_staff and not _back_office(by_username[user.username]):
            user.is_staff = False
            user.save(update_fields=["is_staff"])
    group.delete()


# --- customers and their units ----------------------------------------------------------------


@dataclass(frozen=True)
class UnitPlan:
    model_code: str
    line_code: str
    serial: str
    purchase_date: date


@dataclass(frozen=True)
class CustomerPlan:
    name: str
    phone: str  # E.164
    email: str | None
    outlet: str
    province: str
    city: str
    district: str
    address: str
    tier: str
    elderly: bool
    repeat_complainer: bool
    units: tuple[UnitPlan, ...]
    contact: tuple[str, str, str] | None  # name, relation, phone


def plan_customers(rng: random.Random, *, count: int, today: date) -> list[CustomerPlan]:
    phones: set[str] = set()
    emails: set[str] = set()
    serials: set[str] = set()
    models = [(line.code, line.serial_prefix, code) for line in data.PRODUCT_LINES
              for code, _name in line.models]
    plans = []
    for index in range(count):
        elderly = index % 9 == 4
        surname, surname_py = rng.choice(data.SURNAMES)
        given, given_py = rng.choice(data.ELDERLY_GIVEN_NAMES if elderly else data.GIVEN_NAMES)
        phone = _unique_phone(rng, phones)
        email = None
        if not elderly and rng.random() < 0.45:
            email = f"{given_py}.{surname_py}{rng.randint(1, 99)}@{rng.choice(data.EMAIL_DOMAINS)}"
            if email in emails:
                email = None
            else:
                emails.add(email)
        outlet = data.OUTLETS[index % len(data.OUTLETS)]
        district = rng.choice(list(outlet.districts))
        street = rng.choice(outlet.districts[district])
        prefix = outlet.city if outlet.province == outlet.city else outlet.province + outlet.city
        address = (f"{prefix}{district}{street}{rng.randint(1, 2000)}号"
                   f"{rng.randint(1, 30)}栋{rng.randint(1, 28)}{rng.randint(1, 4):02d}室")
        units = []
        for _n in range(rng.choice((1, 1, 2, 2, 3))):
            line_code, serial_prefix, model_code = rng.choice(models)
            purchased = today - timedelta(days=rng.randint(20, 5 * 365))
            if index == 0 and _n == 0:
                # The portal customer's first unit is old: out of warranty, so that their
                # repair in the demo waits on a quote for them to answer.
                purchased = min(purchased, today - timedelta(days=4 * 365))
            serial = _unique_serial(rng, serials, serial_prefix, purchased)
            units.append(UnitPlan(model_code, line_code, serial, purchased))
        contact = None
        if elderly:
            relation = rng.choice(data.RELATIONS)
            child = rng.choice(data.GIVEN_NAMES)[0]
            contact = (surname + child, relation, _unique_phone(rng, phones))
        plans.append(CustomerPlan(
            name=surname + given, phone=phone, email=email, outlet=outlet.code,
            province=outlet.province, city=outlet.city, district=district, address=address,
            tier=CustomerTier.VIP if index % 7 == 3 else CustomerTier.NORMAL,
            elderly=elderly, repeat_complainer=index in (11, 38), units=tuple(units),
            contact=contact,
        ))
    return plans


def _unique_phone(rng: random.Random, seen: set[str]) -> str:
    while True:
        raw = rng.choice(data.MOBILE_PREFIXES) + f"{rng.randint(0, 99999999):08d}"
        phone = normalize_phone(raw)
        if phone not in seen:
            seen.add(phone)
            return phone


def _unique_serial(rng: random.Random, seen: set[str], prefix: str, purchased: date) -> str:
    while True:
        serial = f"{prefix}{purchased:%y%m}{rng.randint(0, 999999):06d}"
        if serial not in seen:
            seen.add(serial)
            return serial


def ensure_customers(plans: list[CustomerPlan], counter: Counter) -> list[Customer]:
    existing = {c.phone: c for c in Customer.objects.filter(phone__in=[p.phone for p in plans])}
    taken_emails = set(
        Customer.objects.filter(email__in=[p.email for p in plans if p.email])
        .exclude(phone__in=[p.phone for p in plans])
        .values_list("email", flat=True)
    )
    models = {m.code: m for m in ProductModel.objects.all()}
    customers = []
    for plan in plans:
        customer = existing.get(plan.phone)
        if customer is None:
            first_purchase = min(unit.purchase_date for unit in plan.units)
            customer = Customer.objects.create(
                name=plan.name, phone=plan.phone,
                email=plan.email if plan.email not in taken_emails else None,
                address=plan.address, province=plan.province, city=plan.city,
                district=plan.district, tier=plan.tier, is_elderly=plan.elderly,
                is_repeat_complainer=plan.repeat_complainer,
                created_at=_at(first_purchase, hour=11),
            )
            counter.add("customers")
            if plan.contact:
                name, relation, phone = plan.contact
                Contact.objects.create(customer=customer, name=name, relation=relation,
                                       phone=phone, is_primary=True)
        customers.append(customer)
    known = set(
        Unit.objects.filter(
            Q(serial_number__in=[u.serial for p in plans for u in p.units])
        ).values_list("product_model__code", "serial_number")
    )
    for plan, customer in zip(plans, customers, strict=True):
        for unit in plan.units:
            if (unit.model_code, unit.serial) in known:
                continue
            row = Unit.objects.create(product_model=models[unit.model_code],
                                      serial_number=unit.serial, customer=customer,
                                      purchase_date=unit.purchase_date)
            # registered_at is auto_now_add: the registration happened after the purchase.
            Unit.objects.filter(pk=row.pk).update(registered_at=_at(unit.purchase_date, hour=15))
            counter.add("units")
    return customers


def ensure_portal_user(customer: Customer, counter: Counter) -> User:
    user = User.objects.filter(username=data.PORTAL_USERNAME).first()
    if user is None:
        user = User.objects.create(
            username=data.PORTAL_USERNAME, password=demo_password_hash(),
            display_name=customer.name, email=customer.email or "",
        )
        user.roles.set([Role.objects.get(code="customer")])
        counter.add("portal_users")
    if customer.user_id is None and not Customer.objects.filter(user=user).exists():
        customer.user = user
        customer.save(update_fields=["user"])
    return user


def _at(day: date, *, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))

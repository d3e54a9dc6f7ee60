"""Build a realistic million-ticket PostgreSQL database for ``bench/million.py``.

After ``migrate`` on an empty database it writes, with set-based SQL (``INSERT … SELECT
generate_series`` and joins on small tables of texts and staff, no row-by-row Python):

- the organisation: 8 departments, 46 outlets in 5 regions, ~580 staff in every role;
- 7 product lines with their models; 300,000 customers (Chinese names, unique mobile numbers,
  addresses) each owning a registered unit;
- 1,000,000 tickets received over the last three years (more recent years busier, about 1,400 a
  day at the end), numbered per local day as the intake numbers them, in every state: most old
  tickets closed or cancelled, recent ones new, accepted, awaiting approval, assigned, in
  progress, waiting for the customer or resolved, a few old ones still open; titles and
  descriptions from the faults of each line (空调不制冷, 热水器漏水, …) with the customer's
  context around them;
- each ticket's timeline as the services write it (created, first reply, accept, assign, start,
  wait, resolve, confirm or close, cancel, notes and customer replies — about 9 events and 2
  replies a ticket), its SLA clocks (first response, acceptance, respond, resolve, contact,
  update: met, breached, running, paused or cancelled as its history left them) and its
  ``next_due_at``; five open tickets with a history of 200 events;
- the per-day number counters, so that a ticket created afterwards gets the next number.

Secondary indexes of the big tables are dropped during the load and rebuilt after it from their
own definitions (a sorted build is many times faster than maintaining them row by row), and
foreign-key triggers are off for the loading session only (the rows are consistent by
construction). Then ``VACUUM ANALYZE``. The run prints the time of each step.

    uv run python bench/million_build.py                  # 1,000,000 tickets
    uv run python bench/million_build.py --tickets 100000 --customers 30000   # a tenth

The database is ``fivestar_million`` (``BENCH_MILLION_URL`` to change); it is dropped and
created again. ``bench/million.py`` times the pages on it.
"""

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import million_texts as texts  # (the bench folder is not a package)

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_MILLION_URL",
                        "postgres://postgres@127.0.0.1:5432/fivestar_million")
#: Technicians per outlet (besides one senior technician).
TECHNICIANS_PER_OUTLET = 8
AGENTS = 120
#: How finely a line's texts are drawn: the rarest (weight 1 of ~250) still gets a slot.
SLOTS = 1000
BIG_HISTORY_TICKETS = 5
BIG_HISTORY_EVENTS = 200
#: The tables loaded in bulk: their secondary indexes are rebuilt after the load.
BIG_TABLES = ("customers_customer", "products_unit", "tickets_ticket", "tickets_ticketevent",
              "tickets_reply", "sla_slaclock")


def recreate_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    import tempfile

    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("FIVESTAR_VAR_DIR", tempfile.mkdtemp(prefix="fivestar-million-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fivestar.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.pop("FIVESTAR_DEMO", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


class Steps:
    """Prints each step with its time."""

    def __init__(self) -> None:
        self.started = self.last = time.perf_counter()

    def done(self, what: str) -> None:
        now = time.perf_counter()
        print(f"  {now - self.last:6.1f} s  {what}", flush=True)
        self.last = now

    @property
    def total(self) -> float:
        return time.perf_counter() - self.started


def sql(statement: str, params=None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


# --- the organisation and the products (a few hundred rows, through the ORM) ------------------


def build_organisation() -> dict:
    from django.contrib.auth.hashers import make_password

    from fivestar.accounts.models import Department, Outlet, Role, User
    from fivestar.products.models import ProductLine, ProductModel, WarrantyPolicy

    unusable = make_password(None)
    people: list[User] = []
    roles: list[tuple[User, str]] = []

    def person(username: str, name: str, role: str, **fields) -> User:
        user = User(username=username, display_name=name, password=unusable,
                    email=f"{username}@example.com", **fields)
        people.append(user)
        roles.append((user, role))
        return user

    # The migrations seed the four standing departments; the regions' repair departments join.
    departments = {
        code: Department.objects.update_or_create(code=code, defaults={"name": name})[0]
        for code, name in [("customer-service", "客户服务部"), ("technical-support", "技术支持部"),
                           ("quality-assurance", "质量保障部"),
                           *[(code, name) for code, name, _areas in texts.REGIONS]]
    }
    outlets, areas = [], []
    for region_code, _name, region_areas in texts.REGIONS:
        for province, city, district in region_areas:
            index = len(outlets)
            outlets.append(Outlet(
                code=f"outlet-{index:03d}", name=f"{city.removesuffix('市')}{district}服务网点",
                province=province, city=city, district=district,
                address=f"{province}{city}{district}{texts.STREETS[index % 16]} {100 + index} 号",
                phone=f"0{10 + index}-8888{index:04d}",
            ))
            areas.append((province, city, district, region_code))
    Outlet.objects.bulk_create(outlets)

    family, given = texts.SURNAMES, texts.GIVEN_NAMES

    def staff_name(index: int) -> str:
        return family[(index * 7) % len(family)] + given[(index * 11) % len(given)]

    admin = person("admin", "系统管理员", "administrator", is_superuser=True, is_staff=True)
    heads = {}
    for index, department in enumerate(departments.values()):
        heads[department.code] = (
            person(f"sup-{department.code}", staff_name(900 + index), "supervisor",
                   department=department),
            person(f"mgr-{department.code}", staff_name(950 + index), "manager",
                   department=department),
        )
    agents = [person(f"agent-{i:03d}", staff_name(i), "agent",
                     department=departments["customer-service" if i % 6 else
                                            "technical-support"])
              for i in range(AGENTS)]
    for i in range(4):
        person(f"qa-{i}", staff_name(800 + i), "quality_auditor",
               department=departments["quality-assurance"])
    technicians, seniors = [], []
    for index, outlet in enumerate(outlets):
        department = departments[areas[index][3]]
        seniors.append(person(f"senior-{index:03d}", staff_name(2000 + index),
                              "senior_technician", department=department, outlet=outlet))
        for k in range(TECHNICIANS_PER_OUTLET):
            technicians.append(person(f"tech-{index:03d}-{k}",
                                      staff_name(1000 + index * 10 + k), "technician",
                                      department=department, outlet=outlet))
        person(f"store-{index:03d}", staff_name(3000 + index), "warehouse_keeper",
               department=department, outlet=outlet)
    User.objects.bulk_create(people)
    role_rows = {role.code: role for role in Role.objects.all()}
    User.roles.through.objects.bulk_create(
        [User.roles.through(user_id=user.pk, role_id=role_rows[code].pk) for user, code in roles]
    )
    for code, (supervisor, manager) in heads.items():
        Department.objects.filter(code=code).update(supervisor=supervisor, manager=manager)

    models, model_lines, unit_slots = [], [], []
    for line_index, line in enumerate(texts.LINES):
        policy = WarrantyPolicy.objects.create(name=f"{line.name}保修政策",
                                               unit_months=line.warranty_months)
        product_line = ProductLine.objects.create(code=line.code, name=line.name)
        for code, name in line.models:
            model = ProductModel.objects.create(code=code, name=name, product_line=product_line,
                                                warranty_policy=policy)
            models.append(model.pk)
            model_lines.append(line_index)
    # Which model a customer's unit is, by the lines' shares: 100 slots.
    shares = [line.share for line in texts.LINES]
    for line_index, line in enumerate(texts.LINES):
        line_models = [m for m, ln in zip(models, model_lines, strict=True) if ln == line_index]
        count = round(100 * line.share / sum(shares))
        unit_slots += [line_models[k % len(line_models)] for k in range(count)]
    unit_slots = (unit_slots + unit_slots)[:100]
    return {
        "admin": admin.pk, "agents": [a.pk for a in agents],
        "technicians": [t.pk for t in technicians], "seniors": [s.pk for s in seniors],
        "outlets": [o.pk for o in outlets],
        "areas": [(p, c, d) for p, c, d, _r in areas],
        "intake_department": departments["customer-service"].pk,
        "models": models, "model_lines": model_lines, "unit_slots": unit_slots,
        "users": {"agent": agents[0].username, "supervisor": heads["customer-service"][0].username,
                  "repair_supervisor": heads["repair-east"][0].username,
                  "manager": heads["customer-service"][1].username,
                  "technician": technicians[0].username},
    }


def build_text_tables() -> None:
    """``bench_text``: every title and description core, by line and type; ``bench_slot``:
    ``SLOTS`` slots per line, each a text, as many slots as the text's weight (how it is
    drawn)."""
    sql("CREATE UNLOGGED TABLE bench_text (id int PRIMARY KEY, line int, type text, "
        "title text, description text, urgent boolean)")
    sql("CREATE UNLOGGED TABLE bench_slot (line int, slot int, text_id int, "
        "PRIMARY KEY (line, slot))")
    rows, slots = [], []
    for line_index, line in enumerate(texts.LINES):
        requests = [*line.faults, *texts.OTHER_REQUESTS]
        weighted = []
        for request in requests:
            for description in request.descriptions:
                text_id = len(rows) + 1
                rows.append((text_id, line_index, request.type,
                             request.title.format(line=line.name),
                             description.format(line=line.name), request.urgent))
                weighted.append((text_id, request.weight / len(request.descriptions)))
        total = sum(weight for _id, weight in weighted)
        line_slots, carry = [], 0.0
        for text_id, weight in weighted:
            carry += SLOTS * weight / total
            while len(line_slots) < round(carry):
                line_slots.append(text_id)
        line_slots = (line_slots + [weighted[0][0]] * SLOTS)[:SLOTS]
        slots += [(line_index, slot, text_id) for slot, text_id in enumerate(line_slots)]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO bench_text VALUES (%s, %s, %s, %s, %s, %s)", rows)
        cursor.executemany("INSERT INTO bench_slot VALUES (%s, %s, %s)", slots)


# --- the big tables -------------------------------------------------------------------------


def drop_secondary_indexes() -> list[str]:
    """Drop the big tables' indexes that neither are their primary key nor back a constraint;
    return their definitions to build them again."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
            "FROM pg_index i WHERE i.indrelid::regclass::text = ANY(%s) "
            "AND NOT i.indisprimary AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [list(BIG_TABLES)])
        found = cursor.fetchall()
        for name, _definition in found:
            cursor.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in found]


def build_customers(*, customers: int, org: dict) -> None:
    areas = org["areas"]
    sql("""
        INSERT INTO customers_customer (id, name, phone, email, address, province, city,
            district, tier, is_elderly, is_repeat_complainer, user_id, created_at,
            anonymised_at)
        SELECT i,
            substr(%(surnames)s::text, 1 + floor(random() * length(%(surnames)s::text))::int, 1)
              || (%(given)s::text[])[1 + floor(random() * %(n_given)s)::int],
            -- 7919 is prime to 10^8: the eight digits are unique for every i below 10^8.
            '+86' || (%(prefixes)s::text[])[1 + i %% %(n_prefixes)s]
              || lpad(((i::bigint * 7919) %% 100000000)::text, 8, '0'),
            CASE WHEN random() < 0.3 THEN 'c' || i || '@example.com' END,
            a.province || CASE WHEN a.city = a.province THEN '' ELSE a.city END || a.district
              || (%(streets)s::text[])[1 + i %% 16] || ' ' || (1 + i %% 300) || ' 号 '
              || (1 + i %% 30) || '-' || (101 + i %% 2000),
            a.province, a.city, a.district,
            CASE WHEN random() < 0.04 THEN 'vip' ELSE 'normal' END,
            random() < 0.08, random() < 0.005, NULL,
            %(start)s::timestamptz - interval '1 year' * random(), NULL
        FROM generate_series(1, %(customers)s) AS i
        JOIN (SELECT (row_number() OVER ()) - 1 AS k, * FROM unnest(%(provinces)s::text[],
              %(cities)s::text[], %(districts)s::text[]) AS u(province, city, district)) AS a
          ON a.k = i %% %(n_areas)s
    """, {"surnames": texts.SURNAMES, "given": list(texts.GIVEN_NAMES),
          "n_given": len(texts.GIVEN_NAMES), "prefixes": list(texts.MOBILE_PREFIXES),
          "n_prefixes": len(texts.MOBILE_PREFIXES), "streets": list(texts.STREETS),
          "provinces": [a[0] for a in areas], "cities": [a[1] for a in areas],
          "districts": [a[2] for a in areas], "n_areas": len(areas),
          "customers": customers, "start": org["start"]})
    # One registered unit per customer, with the customer's id.
    sql("""
        INSERT INTO products_unit (id, product_model_id, serial_number, purchase_date,
            customer_id, registered_at)
        SELECT c.id, m.model,
            (%(prefix)s::text[])[m.line + 1] || to_char(c.created_at, 'YYMM')
              || lpad(c.id::text, 8, '0'),
            (c.created_at - interval '30 days' * random())::date, c.id, c.created_at
        FROM customers_customer c
        JOIN (SELECT (row_number() OVER ()) - 1 AS k, model, line
              FROM unnest(%(slots)s::int[], %(slot_lines)s::int[]) AS s(model, line)) AS m
          ON m.k = (c.id * 37) %% 100
    """, {"slots": org["unit_slots"],
          "slot_lines": [org["model_lines"][org["models"].index(m)] for m in org["unit_slots"]],
          "prefix": [line.serial_prefix for line in texts.LINES]})


def build_stage(*, tickets: int, customers: int, org: dict) -> None:
    """``bench_stage``: one row per ticket with everything its rows are made of — who, what,
    its state and the time of each step of its history."""
    sql("SELECT setseed(0.42)")
    sql("""
        CREATE UNLOGGED TABLE bench_stage AS
        WITH raw AS MATERIALIZED (
            SELECT i,
                %(start)s::timestamptz
                  + (%(now)s::timestamptz - %(start)s::timestamptz)
                  * power((i - 0.5)::float8 / %(n)s, 2.0 / 3) AS received_at,
                1 + least(%(customers)s - 1,
                          floor(%(customers)s * power(random(), 1.3)))::int AS customer_id,
                floor(random() * %(slots)s)::int AS slot,
                random() AS r_status, random() AS r_prio, random() AS r_chan,
                random() AS r_pick, random() AS r_reply, random() AS r_text,
                random() AS t1, random() AS t2, random() AS t3, random() AS t4,
                random() AS t5, random() AS t6
            FROM generate_series(1, %(n)s) AS i
        ), typed AS (
            SELECT raw.*, u.product_model_id, u.serial_number, u.purchase_date, s.line,
                t.id AS text_id, t.type, t.urgent,
                (raw.customer_id %% %(n_areas)s) AS area,
                %(now)s::timestamptz - raw.received_at AS age,
                CASE
                  WHEN %(now)s::timestamptz - raw.received_at < interval '2 days' THEN CASE
                    WHEN r_status < .08 THEN 'new' WHEN r_status < .20 THEN 'accepted'
                    WHEN r_status < .22 THEN 'awaiting_approval'
                    WHEN r_status < .42 THEN 'assigned' WHEN r_status < .67 THEN 'in_progress'
                    WHEN r_status < .75 THEN 'waiting_customer'
                    WHEN r_status < .90 THEN 'resolved' WHEN r_status < .97 THEN 'closed'
                    ELSE 'cancelled' END
                  WHEN %(now)s::timestamptz - raw.received_at < interval '14 days' THEN CASE
                    WHEN r_status < .002 THEN 'new' WHEN r_status < .012 THEN 'accepted'
                    WHEN r_status < .015 THEN 'awaiting_approval'
                    WHEN r_status < .035 THEN 'assigned' WHEN r_status < .095 THEN 'in_progress'
                    WHEN r_status < .135 THEN 'waiting_customer'
                    WHEN r_status < .255 THEN 'resolved' WHEN r_status < .97 THEN 'closed'
                    ELSE 'cancelled' END
                  ELSE CASE
                    WHEN r_status < .0005 THEN 'assigned' WHEN r_status < .0015 THEN 'in_progress'
                    WHEN r_status < .0035 THEN 'waiting_customer'
                    WHEN r_status < .0045 THEN 'resolved' WHEN r_status < .97 THEN 'closed'
                    ELSE 'cancelled' END
                END AS status
            FROM raw
            JOIN products_unit u ON u.id = raw.customer_id
            JOIN bench_model_line s ON s.model = u.product_model_id
            JOIN bench_slot sl ON sl.line = s.line AND sl.slot = raw.slot
            JOIN bench_text t ON t.id = sl.text_id
        ), stepped AS (
            SELECT typed.*,
                status <> 'new' AS reached_accept,
                status IN ('awaiting_approval', 'assigned', 'in_progress', 'waiting_customer',
                           'resolved', 'closed') AS reached_assign,
                status IN ('in_progress', 'waiting_customer', 'resolved', 'closed')
                  AS reached_start,
                status IN ('resolved', 'closed') AS reached_resolve,
                CASE WHEN status = 'awaiting_approval' THEN 'P1'
                     WHEN urgent AND r_prio < 0.85 THEN 'P1' WHEN r_prio < 0.03 THEN 'P1'
                     WHEN r_prio < 0.38 THEN 'P2' ELSE 'P3' END AS priority,
                CASE WHEN r_chan < .50 THEN 'phone' WHEN r_chan < .64 THEN 'web'
                     WHEN r_chan < .78 THEN 'chat' WHEN r_chan < .86 THEN 'api'
                     WHEN r_chan < .91 THEN 'walk_in' WHEN r_chan < .96 THEN 'sms'
                     ELSE 'email' END AS channel,
                type IN ('repair', 'installation', 'maintenance') AS on_site,
                -- Seconds from receipt to each step, before fitting the history into the
                -- ticket's age: most steps in time for their deadline, some late.
                60 * (1 + 12 * t1 * t1) AS o_first,
                60 * (1 + 12 * t1 * t1) + 60 * (1 + 29 * t2) AS o_accept
            FROM typed
        ), timed AS (
            SELECT stepped.*,
                o_accept + 60 * (5 + 115 * t3) AS o_assign,
                o_accept + 60 * (5 + 115 * t3) + 60 * (3 + 30 * t2 * t2) AS o_contact,
                o_accept + 60 * (5 + 115 * t3) + 60 * (10 + 200 * t4 * t4) AS o_start,
                o_accept + 60 * (5 + 115 * t3) + 60 * (10 + 200 * t4 * t4)
                  + 3600 * (0.3 + 30 * t5 * t5) AS o_resolve
            FROM stepped
        ), waited AS (
            SELECT timed.*,
                o_start + 0.3 * (o_resolve - o_start) AS o_wait,
                o_resolve + 86400 * (0.2 + 5 * t6) AS o_close,
                o_accept + 3600 * (1 + 10 * t6) AS o_cancel
            FROM timed
        ), fitted AS (
            SELECT waited.*,
                least(1.0, 0.9 * extract(epoch FROM age) / greatest(1.0, CASE status
                    WHEN 'new' THEN 1.0 WHEN 'accepted' THEN o_accept
                    WHEN 'awaiting_approval' THEN o_assign WHEN 'assigned' THEN o_assign
                    WHEN 'in_progress' THEN o_start WHEN 'waiting_customer' THEN o_wait
                    WHEN 'resolved' THEN o_resolve WHEN 'closed' THEN o_close
                    ELSE o_cancel END)) AS fit
            FROM waited
        )
        SELECT i AS id, received_at, customer_id, product_model_id, serial_number,
            purchase_date, text_id, type, status, priority, channel, on_site, area, r_reply,
            r_text, r_pick,
            'SR-' || to_char(received_at AT TIME ZONE %(tz)s, 'YYYYMMDD') || '-'
              || lpad((row_number() OVER (PARTITION BY (received_at AT TIME ZONE %(tz)s)::date
                                          ORDER BY received_at, i))::text, 6, '0') AS number,
            (received_at AT TIME ZONE %(tz)s)::date AS local_day,
            -- The agent who took the call and accepted it; who holds the work.
            (%(agents)s::int[])[1 + (i::bigint * 7919) %% %(n_agents)s] AS agent_id,
            CASE WHEN NOT reached_assign THEN NULL
                 WHEN status = 'awaiting_approval' THEN NULL
                 WHEN on_site AND priority = 'P1' THEN (%(seniors)s::int[])[1 + area]
                 WHEN on_site THEN (%(technicians)s::int[])[
                     1 + area * %(per_outlet)s + floor(r_pick * %(per_outlet)s)::int]
                 ELSE (%(agents)s::int[])[1 + floor(r_pick * %(n_agents)s)::int] END
              AS assignee_id,
            CASE WHEN status = 'awaiting_approval' THEN (%(seniors)s::int[])[1 + area] END
              AS pending_assignee_id,
            CASE WHEN on_site AND reached_assign THEN (%(outlets)s::int[])[1 + area] END
              AS outlet_id,
            CASE WHEN reached_accept THEN received_at + o_first * fit * interval '1 second'
              END AS first_response_at,
            CASE WHEN reached_accept THEN received_at + o_accept * fit * interval '1 second'
              END AS accepted_at,
            CASE WHEN reached_assign THEN received_at + o_assign * fit * interval '1 second'
              END AS assigned_at,
            CASE WHEN reached_assign AND status <> 'awaiting_approval'
                      AND received_at + least(o_contact, o_start) * fit * interval '1 second'
                          <= %(now)s::timestamptz
                 THEN received_at + least(o_contact, o_start) * fit * interval '1 second'
                 END AS contacted_at,
            CASE WHEN reached_start THEN received_at + o_start * fit * interval '1 second'
              END AS started_at,
            CASE WHEN status = 'waiting_customer'
                 THEN received_at + o_wait * fit * interval '1 second' END AS waiting_at,
            CASE WHEN reached_resolve THEN received_at + o_resolve * fit * interval '1 second'
              END AS resolved_at,
            CASE WHEN status = 'closed' THEN received_at + o_close * fit * interval '1 second'
              END AS closed_at,
            CASE WHEN status = 'cancelled'
                 THEN received_at + o_cancel * fit * interval '1 second' END AS cancelled_at,
            status IN ('new', 'accepted', 'awaiting_approval', 'assigned', 'in_progress',
                       'waiting_customer') AS is_open
        FROM fitted
    """, {"start": org["start"], "now": org["now"], "n": tickets, "customers": customers,
          "slots": SLOTS,
          "n_areas": len(org["areas"]), "tz": "Asia/Shanghai",
          "agents": org["agents"], "n_agents": len(org["agents"]),
          "seniors": org["seniors"], "technicians": org["technicians"],
          "per_outlet": TECHNICIANS_PER_OUTLET, "outlets": org["outlets"]})
    sql("ALTER TABLE bench_stage ADD PRIMARY KEY (id)")
    # The allowed time of each target by priority (the default policies, wall clock here).
    sql("""
        ALTER TABLE bench_stage ADD COLUMN respond interval, ADD COLUMN resolve interval,
            ADD COLUMN next_due_at timestamptz
    """)
    sql("""
        UPDATE bench_stage SET
            respond = CASE priority WHEN 'P1' THEN interval '2 hours'
                      WHEN 'P2' THEN interval '4 hours' ELSE interval '8 hours' END,
            resolve = CASE priority WHEN 'P1' THEN interval '4 hours'
                      WHEN 'P2' THEN interval '24 hours' ELSE interval '27 hours' END
    """)
    # The nearest deadline still counting (a ticket waiting for the customer has its clocks
    # paused, so none).
    sql("""
        UPDATE bench_stage SET next_due_at = least(
            CASE WHEN first_response_at IS NULL THEN received_at + interval '10 minutes' END,
            CASE WHEN accepted_at IS NULL THEN received_at + interval '1 day' END,
            CASE WHEN started_at IS NULL THEN received_at + respond END,
            received_at + resolve,
            CASE WHEN status = 'assigned' AND contacted_at IS NULL
                 THEN assigned_at + interval '30 minutes' END,
            CASE WHEN status = 'in_progress' THEN started_at + interval '6 hours' END)
        WHERE is_open AND status <> 'waiting_customer'
    """)


def build_tickets(*, org: dict) -> None:
    sql("""
        INSERT INTO tickets_ticket (id, number, type, channel, priority, proposed_priority,
            priority_confirmed, status, customer_id, unit_id, product_model_id, serial_number,
            purchase_date, title, description, demand, received_at, department_id, outlet_id,
            assignee_id, pending_assignee_id, created_by_id, created_at, updated_at,
            accepted_at, first_response_at, resolved_at, closed_at, reopen_count,
            cancel_reason, resolution, technical_solution, parts_replaced, labour_minutes,
            cost_fen, solved_on_first_contact, customer_confirmed, next_due_at)
        SELECT s.id, s.number, s.type, s.channel, s.priority, s.priority, s.status <> 'new',
            s.status, s.customer_id,
            CASE WHEN s.on_site OR s.type = 'return' THEN s.customer_id END,
            s.product_model_id,
            CASE WHEN s.on_site OR s.type = 'return' THEN s.serial_number ELSE '' END,
            s.purchase_date, t.title,
            (%(prefixes)s::text[])[1 + floor(s.r_text * 10)::int] || t.description
              || (%(suffixes)s::text[])[1 + (s.id * 7) %% 10],
            '', s.received_at, %(department)s, s.outlet_id, s.assignee_id,
            s.pending_assignee_id,
            CASE WHEN s.channel IN ('phone', 'chat', 'email', 'walk_in') THEN s.agent_id END,
            s.received_at,
            greatest(s.received_at, s.first_response_at, s.accepted_at, s.assigned_at,
                     s.started_at, s.waiting_at, s.resolved_at, s.closed_at, s.cancelled_at),
            s.accepted_at, s.first_response_at, s.resolved_at, s.closed_at, 0,
            CASE WHEN s.status = 'cancelled' THEN '客户已自行解决，取消报修。' ELSE '' END,
            CASE WHEN s.resolved_at IS NOT NULL THEN '上门检测并处理，试机正常。' ELSE '' END,
            '', '', CASE WHEN s.resolved_at IS NOT NULL THEN 30 + (s.id %% 90) END,
            NULL, CASE WHEN s.resolved_at IS NOT NULL THEN s.r_reply < 0.7 END,
            CASE WHEN s.status = 'closed' THEN s.r_pick < 0.7 END,
            s.next_due_at
        FROM bench_stage s JOIN bench_text t ON t.id = s.text_id
        ORDER BY s.id
    """, {"prefixes": list(texts.PREFIXES), "suffixes": list(texts.SUFFIXES),
          "department": org["intake_department"]})
    sql("""
        INSERT INTO tickets_ticketdaysequence (day, last_value)
        SELECT local_day, count(*) FROM bench_stage GROUP BY local_day
    """)


def build_replies(*, now) -> None:
    """Replies get ids from their ticket (``4 × ticket + k``) so the events can name them: the
    first answer (k 0), an internal note (1), the customer's reply (2), the resolution (3)."""
    sql("""
        INSERT INTO tickets_reply (id, ticket_id, author_id, from_customer, body, internal,
            time_spent_minutes, created_at)
        SELECT s.id * 4 + r.k, s.id, r.author, r.from_customer, r.body, r.internal, NULL, r.at
        FROM bench_stage s CROSS JOIN LATERAL (VALUES
            (0, s.first_response_at, s.agent_id, false, false,
             (%(staff)s::text[])[1 + (s.id %% 3)]),
            (1, CASE WHEN s.r_reply < 0.3 AND s.assigned_at IS NOT NULL
                     THEN least(s.assigned_at + interval '3 minutes', %(now)s::timestamptz) END,
             coalesce(s.assignee_id, s.pending_assignee_id, s.agent_id), false, true,
             (%(notes)s::text[])[1 + (s.id %% %(n_notes)s)]),
            (2, CASE WHEN s.r_reply > 0.7 AND s.started_at IS NOT NULL
                     THEN least(s.started_at + interval '20 minutes', %(now)s::timestamptz) END,
             NULL, true, false, (%(customer)s::text[])[1 + (s.id %% %(n_customer)s)]),
            (3, CASE WHEN s.r_reply BETWEEN 0.3 AND 0.7 THEN s.resolved_at END,
             s.assignee_id, false, false, (%(staff)s::text[])[5])
        ) AS r(k, at, author, from_customer, internal, body)
        WHERE r.at IS NOT NULL
        ORDER BY s.id, r.k
    """, {"now": now, "staff": list(texts.STAFF_REPLIES), "notes": list(texts.INTERNAL_NOTES),
          "n_notes": len(texts.INTERNAL_NOTES), "customer": list(texts.CUSTOMER_REPLIES),
          "n_customer": len(texts.CUSTOMER_REPLIES)})


def build_events(*, now) -> None:
    """The timeline each ticket's history left, in the shape the services write it."""
    sql("""
        INSERT INTO tickets_ticketevent (ticket_id, at, actor_id, actor_kind, action,
            from_status, to_status, before, after, note)
        SELECT s.id, e.at, e.actor, e.kind, e.action, e.from_status, e.to_status,
            e.before, e.after, e.note
        FROM bench_stage s CROSS JOIN LATERAL (VALUES
            (1, s.received_at,
             CASE WHEN s.channel IN ('phone', 'chat', 'email', 'walk_in') THEN s.agent_id END,
             CASE WHEN s.channel IN ('phone', 'chat', 'email', 'walk_in') THEN 'staff'
                  WHEN s.channel = 'api' THEN 'api' ELSE 'customer' END,
             'created', '', 'new', '{}'::jsonb,
             jsonb_build_object('number', s.number, 'type', s.type, 'channel', s.channel,
                                'priority', s.priority, 'proposed_priority', s.priority,
                                'matched_keywords', '[]'::jsonb, 'customer', s.customer_id),
             ''),
            (2, s.first_response_at, s.agent_id, 'staff', 'reply', '', '', '{}'::jsonb,
             jsonb_build_object('reply', s.id * 4, 'first_response', true, 'attachments', 0),
             ''),
            (3, s.accepted_at, s.agent_id, 'staff', 'accept', 'new', 'accepted', '{}'::jsonb,
             '{}'::jsonb, ''),
            (4, s.assigned_at, s.agent_id, 'staff', 'assign', 'accepted',
             CASE WHEN s.pending_assignee_id IS NOT NULL THEN 'awaiting_approval'
                  ELSE 'assigned' END,
             '{}'::jsonb,
             CASE WHEN s.pending_assignee_id IS NOT NULL
                  THEN jsonb_build_object('pending_assignee', s.pending_assignee_id)
                  ELSE jsonb_build_object('assignee', s.assignee_id) END, ''),
            (5, CASE WHEN s.r_reply < 0.3
                     THEN least(s.assigned_at + interval '3 minutes', %(now)s::timestamptz) END,
             coalesce(s.assignee_id, s.pending_assignee_id, s.agent_id), 'staff', 'note', '',
             '', '{}'::jsonb,
             jsonb_build_object('reply', s.id * 4 + 1, 'first_response', false,
                                'attachments', 0), ''),
            (6, s.started_at, s.assignee_id, 'staff', 'start', 'assigned', 'in_progress',
             '{}'::jsonb, '{}'::jsonb, ''),
            (7, CASE WHEN s.r_reply > 0.7
                     THEN least(s.started_at + interval '20 minutes', %(now)s::timestamptz) END,
             NULL, 'customer', 'reply', '', '', '{}'::jsonb,
             jsonb_build_object('reply', s.id * 4 + 2, 'first_response', false,
                                'attachments', 0), ''),
            (8, s.waiting_at, s.assignee_id, 'staff', 'wait_customer', 'in_progress',
             'waiting_customer', '{}'::jsonb, '{}'::jsonb, '等待客户确认上门时间'),
            (9, s.resolved_at, s.assignee_id, 'staff', 'resolve', 'in_progress', 'resolved',
             '{}'::jsonb, '{}'::jsonb, ''),
            (10, CASE WHEN s.r_reply BETWEEN 0.3 AND 0.7 THEN s.resolved_at END,
             s.assignee_id, 'staff', 'reply', '', '', '{}'::jsonb,
             jsonb_build_object('reply', s.id * 4 + 3, 'first_response', false,
                                'attachments', 0), ''),
            (11, s.closed_at, CASE WHEN s.r_pick < 0.7 THEN NULL ELSE s.agent_id END,
             CASE WHEN s.r_pick < 0.7 THEN 'customer' ELSE 'staff' END,
             CASE WHEN s.r_pick < 0.7 THEN 'confirm' ELSE 'close' END, 'resolved', 'closed',
             '{}'::jsonb, '{}'::jsonb, ''),
            (12, s.cancelled_at, s.agent_id, 'staff', 'cancel', 'accepted', 'cancelled',
             '{}'::jsonb, '{}'::jsonb, '客户已自行解决，取消报修。')
        ) AS e(k, at, actor, kind, action, from_status, to_status, before, after, note)
        WHERE e.at IS NOT NULL
        ORDER BY s.id, e.k
    """, {"now": now})


def build_clocks(*, org: dict) -> None:
    """Every ticket's clocks: first response, acceptance, respond and resolve from receipt;
    contact from the assignment; update from the start while in progress. Met when their step
    was reached (breached and met when late), else running, breached, paused while waiting for
    the customer, or cancelled with the ticket."""
    sql("""
        INSERT INTO sla_slaclock (ticket_id, name, target_id, calendar_id, allowed, started_at,
            due_at, original_due_at, extended, warn_at, warn_percent, paused_at,
            paused_working, pauses, met_at, breached_at, state, warned_at, escalation_level,
            escalate_at, changes, created_at)
        SELECT s.id, c.name, t.id, NULL, c.allowed, c.started, c.started + c.allowed,
            c.started + c.allowed, interval '0', c.started + c.allowed * 0.8, 80,
            CASE WHEN s.status = 'waiting_customer' AND c.met IS NULL THEN s.waiting_at END,
            interval '0', '[]'::jsonb, c.met,
            CASE WHEN coalesce(c.met, %(now)s::timestamptz) > c.started + c.allowed
                      AND s.status <> 'cancelled' THEN c.started + c.allowed END,
            CASE WHEN c.met IS NOT NULL AND c.met > c.started + c.allowed THEN 'breached'
                 WHEN c.met IS NOT NULL THEN 'met'
                 WHEN s.status = 'cancelled' OR NOT s.is_open THEN 'cancelled'
                 WHEN s.status = 'waiting_customer' THEN 'paused'
                 WHEN c.started + c.allowed < %(now)s::timestamptz THEN 'breached'
                 ELSE 'running' END,
            CASE WHEN c.started + c.allowed * 0.8 < coalesce(c.met, %(now)s::timestamptz)
                 THEN c.started + c.allowed * 0.8 END,
            CASE WHEN c.met IS NULL AND s.is_open
                      AND c.started + c.allowed < %(now)s::timestamptz THEN 3 ELSE 0 END,
            NULL, '[]'::jsonb, c.started
        FROM bench_stage s CROSS JOIN LATERAL (VALUES
            ('first_response', s.received_at, interval '10 minutes', s.first_response_at),
            ('acceptance', s.received_at, interval '1 day', s.accepted_at),
            ('respond', s.received_at, s.respond, coalesce(s.started_at, s.resolved_at)),
            ('resolve', s.received_at, s.resolve, s.resolved_at),
            ('contact', s.assigned_at, interval '30 minutes', s.contacted_at),
            ('update', CASE WHEN s.status IN ('in_progress', 'waiting_customer')
                            THEN s.started_at END, interval '6 hours', NULL)
        ) AS c(name, started, allowed, met)
        JOIN sla_slapolicy p ON p.priority = s.priority
        JOIN sla_slatarget t ON t.policy_id = p.id AND t.name = c.name
        WHERE c.started IS NOT NULL AND (s.status <> 'awaiting_approval' OR c.name <> 'contact')
        ORDER BY s.id
    """, {"now": org["now"]})


def build_big_histories(*, now) -> list[str]:
    """Five open tickets with a long history: 200 events (notes, replies, contact reveals,
    waits and resumes) and their replies."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id, number FROM bench_stage WHERE status = 'in_progress' "
                       "ORDER BY received_at DESC LIMIT %s", [BIG_HISTORY_TICKETS])
        chosen = cursor.fetchall()
    sql("""
        CREATE UNLOGGED TABLE bench_history AS
        SELECT s.id AS ticket_id, g,
            s.started_at + (%(now)s::timestamptz - s.started_at) * g / (n.extra + 1.0) AS at,
            CASE g %% 5 WHEN 0 THEN 'note' WHEN 1 THEN 'reply' WHEN 2 THEN 'reply'
                 WHEN 3 THEN 'contact_revealed' ELSE 'note' END AS action,
            (SELECT max(id) FROM tickets_reply) + row_number() OVER () AS reply_id,
            s.assignee_id, s.customer_id, g %% 2 = 1 AS from_customer
        FROM bench_stage s
        JOIN (SELECT ticket_id, %(total)s - count(*) AS extra FROM tickets_ticketevent
              WHERE ticket_id = ANY(%(ids)s) GROUP BY ticket_id) AS n ON n.ticket_id = s.id
        CROSS JOIN LATERAL generate_series(1, n.extra::int) AS g
    """, {"now": now, "total": BIG_HISTORY_EVENTS, "ids": [pk for pk, _number in chosen]})
    sql("""
        INSERT INTO tickets_reply (id, ticket_id, author_id, from_customer, body, internal,
            time_spent_minutes, created_at)
        SELECT h.reply_id, h.ticket_id,
            CASE WHEN h.action = 'reply' AND h.from_customer THEN NULL ELSE h.assignee_id END,
            h.action = 'reply' AND h.from_customer,
            CASE WHEN h.action = 'note' THEN (%(notes)s::text[])[1 + h.g %% %(n_notes)s]
                 WHEN h.from_customer THEN (%(customer)s::text[])[1 + h.g %% %(n_customer)s]
                 ELSE (%(staff)s::text[])[1 + h.g %% %(n_staff)s] END,
            h.action = 'note', NULL, h.at
        FROM bench_history h WHERE h.action IN ('note', 'reply')
    """, {"staff": list(texts.STAFF_REPLIES), "n_staff": len(texts.STAFF_REPLIES),
          "notes": list(texts.INTERNAL_NOTES), "n_notes": len(texts.INTERNAL_NOTES),
          "customer": list(texts.CUSTOMER_REPLIES), "n_customer": len(texts.CUSTOMER_REPLIES)})
    sql("""
        INSERT INTO tickets_ticketevent (ticket_id, at, actor_id, actor_kind, action,
            from_status, to_status, before, after, note)
        SELECT h.ticket_id, h.at,
            CASE WHEN h.action = 'reply' AND h.from_customer THEN NULL ELSE h.assignee_id END,
            CASE WHEN h.action = 'reply' AND h.from_customer THEN 'customer' ELSE 'staff' END,
            h.action, '', '', '{}'::jsonb,
            CASE WHEN h.action = 'contact_revealed'
                 THEN jsonb_build_object('field', 'phone', 'customer', h.customer_id)
                 ELSE jsonb_build_object('reply', h.reply_id, 'first_response', false,
                                         'attachments', 0) END, ''
        FROM bench_history h ORDER BY h.ticket_id, h.g
    """)
    sql("DROP TABLE bench_history")
    return [number for _pk, number in chosen]


def finish(*, org: dict, big: list[str], tickets: int) -> None:
    import json

    for table in ("customers_customer", "products_unit", "tickets_ticket", "tickets_reply",
                  "tickets_ticketevent", "sla_slaclock"):
        sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT max(id) FROM {table}))")
    sql("CREATE TABLE bench_million (key text PRIMARY KEY, value jsonb)")
    sql("INSERT INTO bench_million VALUES ('users', %s), ('big_history', %s), "
        "('now', %s), ('tickets', %s)",
        [json.dumps(org["users"]), json.dumps(big), json.dumps(org["now"].isoformat()),
         json.dumps(tickets)])
    for table in ("bench_stage", "bench_text", "bench_slot", "bench_model_line"):
        sql(f"DROP TABLE {table}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=300_000)
    args = parser.parse_args()
    if not 1 <= args.customers <= args.tickets:
        parser.error("--customers must be between 1 and --tickets")

    steps = Steps()
    recreate_database(PG_URL)
    setup_django(PG_URL)
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    steps.done("migrate")
    now = timezone.now().replace(microsecond=0)
    with transaction.atomic():
        org = build_organisation()
    org["now"], org["start"] = now, now - timedelta(days=3 * 365)
    sql("CREATE UNLOGGED TABLE bench_model_line (model int PRIMARY KEY, line int)")
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO bench_model_line VALUES (%s, %s)",
                           list(zip(org["models"], org["model_lines"], strict=True)))
    build_text_tables()
    steps.done(f"organisation: {len(org['agents'])} agents, {len(org['technicians'])} "
               f"technicians, {len(org['seniors'])} senior technicians, "
               f"{len(org['outlets'])} outlets")

    # The load: no foreign-key triggers for this session (the rows are consistent by
    # construction), no wait for the WAL flush, room to sort for the index builds.
    sql("SET session_replication_role = replica")
    sql("SET synchronous_commit = off")
    sql("SET maintenance_work_mem = '512MB'")
    sql("SET work_mem = '256MB'")
    indexes = drop_secondary_indexes()
    build_customers(customers=args.customers, org=org)
    steps.done(f"{args.customers:,} customers and their units")
    build_stage(tickets=args.tickets, customers=args.customers, org=org)
    steps.done("the tickets' histories planned (bench_stage)")
    build_tickets(org=org)
    steps.done(f"{args.tickets:,} tickets")
    build_replies(now=org["now"])
    steps.done("replies")
    build_events(now=org["now"])
    steps.done("events")
    build_clocks(org=org)
    steps.done("SLA clocks")
    for definition in indexes:
        sql(definition)
    steps.done(f"{len(indexes)} secondary indexes built")
    big = build_big_histories(now=org["now"])
    steps.done(f"{len(big)} tickets with {BIG_HISTORY_EVENTS} events")
    finish(org=org, big=big, tickets=args.tickets)
    sql("SET session_replication_role = DEFAULT")
    with connection.cursor() as cursor:
        for table in BIG_TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    steps.done("VACUUM ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, n_live_tup FROM pg_stat_user_tables "
                       "WHERE relname = ANY(%s) ORDER BY relname", [list(BIG_TABLES)])
        counts = cursor.fetchall()
        cursor.execute("SELECT status, count(*) FROM tickets_ticket GROUP BY status "
                       "ORDER BY 2 DESC")
        statuses = cursor.fetchall()
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        (size,) = cursor.fetchone()
    print("rows: " + ", ".join(f"{name} {count:,}" for name, count in counts))
    print("tickets by status: " + ", ".join(f"{status} {count:,}" for status, count in statuses))
    print(f"built in {steps.total / 60:.1f} min; database {PG_URL.rsplit('/', 1)[1]}: {size}")


if __name__ == "__main__":
    main()

"""Editing a ticket's descriptive fields (the back office's "fix a typo"), recorded as an event.

The state, the priority, the assignee and the closing record change only through their
transitions (``transitions``); this covers what an agent may correct at any time.
"""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fivestar.core.errors import PermissionDenied, ValidationFailed
from fivestar.tickets.actors import Actor
from fivestar.tickets.events import ticket_edited_event
from fivestar.tickets.models import Ticket
from fivestar.tickets.services.transitions import refresh_from
from fivestar.tickets.workflow import FRONT_LINE

EDITABLE_FIELDS = ("title", "description", "demand", "department", "outlet")


def edit_ticket_details(*, ticket: Ticket, actor: Actor, changes: dict[str, Any],
                        note: str = "") -> Ticket:
    """Apply ``changes`` (field name → new value; foreign keys as objects or None) and write one
    ``edited`` event with the before/after of the fields that really changed."""
    if actor.user is None or actor.as_customer or not actor.user.role_codes() & FRONT_LINE:
        raise PermissionDenied(_("只有客服、主管、经理或管理员可以修改工单信息。"))
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationFailed(
            _("这些字段不能直接修改：%(fields)s") % {"fields": ", ".join(unknown)},
            fields={name: [_("只能通过工单操作修改。")] for name in unknown},
        )
    if "title" in changes and not (changes["title"] or "").strip():
        raise ValidationFailed(_("标题不能为空。"), fields={"title": [_("必填。")]})
    with transaction.atomic():
        row = Ticket.objects.select_for_update().get(pk=ticket.pk)
        before, after, names = {}, {}, []
        for name, new in changes.items():
            attname = row._meta.get_field(name).attname
            old_value = getattr(row, attname)
            new_value = getattr(new, "pk", new) if name in ("department", "outlet") else new
            if isinstance(new_value, str):
                new_value = new_value.strip()
            if old_value == new_value:
                continue
            before[name], after[name] = old_value, new_value
            setattr(row, attname, new_value)
            names.append(attname)
        if names:
            row.save(update_fields=[*names, "updated_at"])
            ticket_edited_event(ticket=row, actor=actor, before=before, after=after, note=note)
    refresh_from(ticket, row)
    return row

"""The admin site's titles and sign-in form (under the one lockout), the warnings apps put on
its home page, and the bases of the admin pages: records only shown, and records that hold
customers' personal data."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fivestar.core import privacy
from fivestar.core.network import client_address
from fivestar.core.signin import AdminSignInForm

admin.site.site_header = _("五星售后服务管理系统")
admin.site.site_title = _("五星售后")
admin.site.index_title = _("后台管理")
admin.site.login_form = AdminSignInForm


@dataclass(frozen=True)
class HomeWarning:
    """Something an administrator must act on, shown on the admin home page until it is done
    (``templates/admin/index.html``), with a link to where it is done."""

    message: str
    link: str = ""
    link_text: str = ""


_home_warnings: list[Callable[[HttpRequest], Iterable[HomeWarning]]] = []


def register_home_warning(provider: Callable[[HttpRequest], Iterable[HomeWarning]]) -> None:
    """``provider(request)`` returns the warnings for the signed-in user (the apps' own rules
    decide who sees what); apps register in their ``admin`` module. Registering twice adds
    nothing."""
    if provider not in _home_warnings:
        _home_warnings.append(provider)


def home_warnings(request: HttpRequest) -> list[HomeWarning]:
    return [warning for provider in _home_warnings for warning in provider(request)]


class ViewOnlyAdmin(admin.ModelAdmin):
    """Records the admin shows but never adds, changes or deletes: they are written by the
    services (roles seeded by migration, outbox messages, notifications, SLA clocks, quotes) and
    kept as history. The change page shows every field read-only."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def masked(field: str, kind: str, description) -> Callable[[Any, Model], str]:
    """A read-only display of ``field`` masked as ``kind`` (phone, email, address) by the one
    masking function: a list column, and what a change page shows a viewer who may not see the
    value whole (``MaskedFields.personal_fields``). Not sortable: an order by the hidden digits
    would tell them."""

    @admin.display(description=description)
    def display(model_admin, obj: Model) -> str:
        return privacy.rules().mask(getattr(obj, field), kind)

    display.__name__ = f"masked_{field}"
    return display


def _swap(fields: Sequence, replacements: Mapping[str, str]) -> list:
    swapped, seen = [], set()
    for entry in fields:
        if isinstance(entry, (list, tuple)):  # fields shown on one line
            swapped.append(tuple(_swap(entry, replacements)))
            continue
        entry = replacements.get(entry, entry) if isinstance(entry, str) else entry
        if entry not in seen:
            seen.add(entry)
            swapped.append(entry)
    return swapped


class MaskedFields:
    """Admin pages (and inlines) that show personal data: on a change page, a viewer whose role
    may not see contact details whole (SPEC §9) gets ``personal_fields`` masked and read-only
    instead. Lists show them masked to everyone (``masked``)."""

    #: field → the name of its masked display on the admin, e.g. ``{"phone": "masked_phone"}``.
    personal_fields: Mapping[str, str] = {}

    def reveals_to(self, request: HttpRequest) -> bool:
        return privacy.rules().may_reveal(user=request.user)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self.personal_fields or self.reveals_to(request):
            return fieldsets
        return [(name, {**options, "fields": _swap(options["fields"], self.personal_fields)})
                for name, options in fieldsets]

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is None or not self.personal_fields or self.reveals_to(request):
            return readonly
        return tuple(_swap([*readonly, *self.personal_fields.values()], self.personal_fields))


class PersonalDataAdmin(MaskedFields, admin.ModelAdmin):
    """An admin page whose records hold customers' data (SPEC §9 "Privacy and security"):

    - rows: only those the viewer may see in the API and the workspace (``visible_rows``, which
      a page implements with its app's selector); any other row is 404, as in the API;
    - masking: ``personal_fields`` (``MaskedFields``); searching or filtering by them, or by
      ``personal_lookups`` across relations (``customer__phone``), is for viewers who may see
      them whole, so that nobody else can confirm a number by searching for it;
    - logging: each change page that shows them whole writes one row in the personal-data
      access log (``personal_data_shown``, ``personal_data_owner``).
    """

    #: Search lookups through relations that match personal data, e.g. ``customer__phone``.
    personal_lookups: Sequence[str] = ()

    def visible_rows(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset

    def get_queryset(self, request):
        return self.visible_rows(request, super().get_queryset(request))

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # Not "deleted, perhaps?": a row the viewer may not see does not exist for them.
            raise Http404(gettext("没有找到这条记录。"))
        return obj

    def _is_personal(self, lookup: str) -> bool:
        name = lookup.lstrip("^=@")
        return any(name == personal or name.startswith(f"{personal}__")
                   for personal in (*self.personal_fields, *self.personal_lookups))

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if self.reveals_to(request):
            return fields
        return tuple(field for field in fields if not self._is_personal(field))

    def lookup_allowed(self, lookup, value, request) -> bool:
        if self._is_personal(lookup) and not self.reveals_to(request):
            return False
        return super().lookup_allowed(lookup, value, request)

    def personal_data_shown(self, request: HttpRequest, obj: Model) -> list[str]:
        """The personal fields this change page shows (the non-empty ones)."""
        return [name for name in self.personal_fields if getattr(obj, name, None)]

    def personal_data_owner(self, obj: Model):
        """The customer whose data ``obj`` shows, or None when it is no customer's."""
        return None

    def render_change_form(self, request, context, add=False, change=False, form_url="",
                           obj=None):
        if obj is not None and change and self.reveals_to(request):
            shown = self.personal_data_shown(request, obj)
            if shown:
                opts = self.model._meta
                privacy.rules().record_access(
                    user=request.user, customer=self.personal_data_owner(obj), fields=shown,
                    source="admin", reference=f"{opts.app_label}.{opts.model_name}/{obj.pk}",
                    client_address=client_address(request),
                )
        return super().render_change_form(request, context, add=add, change=change,
                                          form_url=form_url, obj=obj)

"""Forms of the staff workspace's intake and ticket pages.

The forms parse what the browser sent (types, lengths, choices); the rules are the services'.
A service's ``ValidationFailed`` comes back to the form through ``add_domain_errors``, so that
its messages stand beside the fields they name, the same messages the API gives.
"""

import types
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal, Union, get_args, get_origin

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from pydantic_core import PydanticUndefined

from fivestar.core.forms import DomainErrorsMixin as BaseDomainErrorsMixin
from fivestar.core.money import yuan_to_fen
from fivestar.customers.services import CustomerDetails
from fivestar.tickets.models import (
    Channel,
    ConfirmationChannel,
    ConfirmationMethod,
    ContactChannel,
    Priority,
    TicketType,
)
from fivestar.tickets.services import TicketRequest

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"

# Labels: where the Chinese word is also a model field's name, English keeps the name lowercase
# for sentences ("service outlet") and capitalises the label ("Service outlet"); the ``label``
# context tells the two apart.


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATETIME_LOCAL)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class DomainErrorsMixin(BaseDomainErrorsMixin):
    """The workspace's forms are long: a domain error also stands at their top."""

    domain_error_summary = True


# --- intake -----------------------------------------------------------------------------------


class IntakeForm(DomainErrorsMixin, forms.Form):
    """A phone call recorded as a ticket (SPEC §2). ``unit`` is a unit id of the caller's, "new"
    for a unit typed in, or empty for none."""

    domain_field_map = {
        "customer.phone": "phone", "customer.name": "name", "customer.email": "email",
        "customer.address": "address",
    }

    phone = forms.CharField(
        label=_("来电号码"), max_length=40, required=False,
        widget=forms.TextInput(attrs={
            "type": "tel", "inputmode": "tel", "autocomplete": "off", "autofocus": True,
            "placeholder": _("例如 13812345678"),
        }),
    )
    name = forms.CharField(label=_("客户姓名"), max_length=100, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))
    email = forms.CharField(label=pgettext_lazy("label", "邮箱"), max_length=254, required=False,
                            widget=forms.TextInput(attrs={"type": "email",
                                                          "autocomplete": "off"}))
    address = forms.CharField(label=_("地址"), max_length=300, required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "off"}))
    unit = forms.RegexField(regex=r"^(|new|\d{1,18})$", required=False,
                            label=pgettext_lazy("label", "设备"))
    product_model = forms.CharField(
        label=pgettext_lazy("label", "产品型号"), max_length=60, required=False,
        widget=forms.TextInput(attrs={"list": "model-options", "autocomplete": "off",
                                      "placeholder": _("输入型号或名称")}),
    )
    serial_number = forms.CharField(label=pgettext_lazy("label", "序列号"), max_length=80,
                                    required=False,
                                    widget=forms.TextInput(attrs={"autocomplete": "off"}))
    purchase_date = forms.DateField(label=pgettext_lazy("label", "购买日期"), required=False,
                                    widget=DateInput())
    type = forms.ChoiceField(label=pgettext_lazy("label", "请求类型"), choices=TicketType.choices,
                             initial=TicketType.REPAIR)
    channel = forms.ChoiceField(label=pgettext_lazy("label", "渠道"), choices=Channel.choices,
                                initial=Channel.PHONE)
    priority = forms.ChoiceField(
        label=pgettext_lazy("label", "优先级"), required=False,
        choices=[("", _("采用系统建议")), *Priority.choices],
    )
    title = forms.CharField(
        label=pgettext_lazy("label", "标题"), max_length=200, required=False,
        help_text=_("可不填：默认取问题描述的第一行。"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    description = forms.CharField(
        label=pgettext_lazy("label", "问题描述"), max_length=20000, required=False,
        widget=forms.Textarea(attrs={"rows": 4,
                                     "placeholder": _("客户描述的现象、出现时间、已尝试的操作")}),
    )
    demand = forms.CharField(
        label=pgettext_lazy("label", "客户诉求"), max_length=5000, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off",
                                      "placeholder": _("例如：尽快上门维修")}),
    )
    received_at = forms.DateTimeField(
        label=_("来电时间"), required=False, input_formats=[DATETIME_LOCAL],
        widget=DateTimeLocalInput(),
    )
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    @staticmethod
    def new_key() -> str:
        return uuid.uuid4().hex

    def ticket_request(self, *, unit=None, new_caller: bool = False) -> TicketRequest:
        """The service's request from the cleaned data; ``unit`` is the caller's unit picked
        from the list (its model and serial number go with the request). For a ``new_caller``
        without a name the service's own message is asked for up front, so that it is reported
        with the other fields rather than after them."""
        data = self.cleaned_data
        if unit is not None:
            model_code, serial, purchase = unit.product_model.code, unit.serial_number, None
        elif data.get("unit") == "new":
            model_code = data["product_model"].strip()
            serial, purchase = data["serial_number"].strip(), data["purchase_date"]
        else:
            model_code, serial, purchase = "", "", None
        received_at = data.get("received_at")
        if received_at is not None and timezone.is_naive(received_at):
            received_at = timezone.make_aware(received_at)
        return TicketRequest(
            channel=data["channel"], type=data["type"],
            customer=CustomerDetails(name=data["name"].strip(), phone=data["phone"].strip(),
                                     email=data["email"].strip(),
                                     address=data["address"].strip()),
            title=data["title"], description=data["description"], demand=data["demand"],
            product_model=model_code, serial_number=serial, purchase_date=purchase,
            priority=data["priority"] or None, received_at=received_at,
            extra_errors=(
                {"customer.name": [str(_("新客户需要填写姓名。"))]}
                if new_caller and not data["name"].strip() else {}
            ),
        )


class PriorityHintForm(forms.Form):
    """The text the proposed priority is read from, as it is being typed."""

    title = forms.CharField(max_length=200, required=False)
    description = forms.CharField(max_length=20000, required=False)
    demand = forms.CharField(max_length=5000, required=False)
    priority = forms.ChoiceField(required=False, choices=[("", ""), *Priority.choices])


class LookupForm(forms.Form):
    phone = forms.CharField(max_length=40, required=False)


class ModelSearchForm(forms.Form):
    product_model = forms.CharField(max_length=60, required=False)


# --- the ticket page --------------------------------------------------------------------------


class ReplyForm(DomainErrorsMixin, forms.Form):
    """A public reply or an internal note, with files and the time it took."""

    domain_field_map = {"file": "files"}

    visibility = forms.ChoiceField(
        label=_("可见范围"), initial="public", widget=forms.RadioSelect,
        choices=[("public", _("公开回复")), ("internal", pgettext_lazy("label", "内部备注"))],
    )
    body = forms.CharField(
        label=_("内容"), max_length=20000, required=False,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": _("输入回复，Ctrl+Enter 发送")}),
    )
    time_spent_minutes = forms.IntegerField(
        label=pgettext_lazy("label", "耗时（分钟）"), required=False, min_value=0, max_value=1440,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    files = MultipleFileField(label=pgettext_lazy("label", "附件"), required=False,
                              help_text=_("图片、PDF、MP4 视频或文本文件，可多选。"))

    @property
    def internal(self) -> bool:
        return self.cleaned_data.get("visibility") == "internal"


class CannedPickForm(forms.Form):
    canned = forms.IntegerField(min_value=1)
    body = forms.CharField(max_length=20000, required=False, strip=False)


class RevealForm(forms.Form):
    field = forms.ChoiceField(choices=[("phone", "phone"), ("email", "email"),
                                       ("address", "address")])


class ActionForm(DomainErrorsMixin, forms.Form):
    """The body of a ticket action. Subclasses add the fields their action needs;
    ``action_data`` gives the input as the action's schema reads it (``perform_action``)."""

    #: Asked to confirm before it is sent (destructive actions).
    confirm: str = ""

    def action_data(self) -> dict:
        """The cleaned data as the schema reads it: local times made aware, empty optionals
        left out."""
        body = {}
        for name, value in self.cleaned_data.items():
            if value in (None, "") and not self.fields[name].required:
                continue
            if isinstance(value, datetime) and timezone.is_naive(value):
                value = timezone.make_aware(value)
            body[name] = value
        return body


class NoteActionForm(ActionForm):
    note = forms.CharField(label=_("备注"), max_length=5000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(ActionForm):
    assignee = forms.TypedChoiceField(label=pgettext_lazy("label", "处理人"), coerce=int,
                                      choices=[])
    note = forms.CharField(label=_("备注"), max_length=5000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {choice.user.pk: choice.user for choice in staff}
        groups: dict[str, list] = {}
        for choice in staff:
            text = f"{choice.user}（{choice.roles}）· " + str(
                _("在办 %(count)s") % {"count": choice.open_tickets}
            )
            groups.setdefault(choice.department or str(_("未分部门")), []).append(
                (choice.user.pk, text)
            )
        self.fields["assignee"].choices = [("", _("请选择…")), *groups.items()]

    def clean_assignee(self):
        """The chosen person (one of the choices offered, so already loaded)."""
        return self.people[self.cleaned_data["assignee"]]

    def action_data(self) -> dict:
        # The action names people by username, as the API does.
        return {"assignee": self.cleaned_data["assignee"].username,
                "note": self.cleaned_data["note"]}


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("原因"), max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class CancelForm(ReasonForm):
    confirm = _("确定取消这张工单吗？取消后不能再处理。")
    reason = forms.CharField(label=pgettext_lazy("label", "取消原因"), max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class WaitCustomerForm(ReasonForm):
    reason = forms.CharField(
        label=_("等待客户什么"), max_length=5000,
        help_text=_("等待期间服务计时暂停。"),
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("例如：等客户发送故障视频")}),
    )


class ReopenForm(ReasonForm):
    reason = forms.CharField(label=_("重开原因"), max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class SetPriorityForm(ActionForm):
    priority = forms.ChoiceField(label=pgettext_lazy("label", "优先级"), choices=Priority.choices)
    reason = forms.CharField(label=_("原因"), max_length=5000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ConfirmForm(ActionForm):
    solved = forms.TypedChoiceField(
        label=_("客户的答复"), widget=forms.RadioSelect, coerce=lambda value: value == "yes",
        choices=[("yes", _("已解决，关闭工单")), ("no", _("未解决，继续处理"))],
    )
    # The answer staff record (SPEC §5): how it came and who gave it (the customer by default).
    channel = forms.ChoiceField(
        label=pgettext_lazy("label", "确认渠道"), required=False, initial=ContactChannel.PHONE,
        choices=[(value, label) for value, label in ConfirmationChannel.choices
                 if value != ConfirmationChannel.PORTAL])
    confirmed_by = forms.CharField(label=pgettext_lazy("label", "确认人"), max_length=100,
                                   required=False, help_text=_("留空：客户本人。"))
    note = forms.CharField(label=_("备注"), max_length=5000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ResolveForm(ActionForm):
    domain_field_map = {"cost_fen": "cost_yuan"}

    resolution = forms.CharField(label=pgettext_lazy("label", "处理过程"), max_length=20000,
                                 widget=forms.Textarea(attrs={"rows": 3}))
    technical_solution = forms.CharField(label=pgettext_lazy("label", "技术方案"),
                                         max_length=20000, required=False,
                                         widget=forms.Textarea(attrs={"rows": 2}))
    parts_replaced = forms.CharField(label=pgettext_lazy("label", "更换部件"), max_length=5000,
                                     required=False)
    labour_minutes = forms.IntegerField(label=pgettext_lazy("label", "工时（分钟）"), min_value=0,
                                        max_value=100000, required=False)
    cost_yuan = forms.DecimalField(label=_("费用（元）"), min_value=Decimal(0),
                                   max_value=Decimal(10**10), decimal_places=2, required=False)
    solved_on_first_contact = forms.TypedChoiceField(
        label=_("首次联系即解决"), required=False, empty_value=None,
        coerce=lambda value: value == "yes",
        choices=[("", _("未记录")), ("yes", _("是")), ("no", _("否"))],
    )

    def action_data(self) -> dict:
        data = dict(self.cleaned_data)
        cost = data.pop("cost_yuan", None)
        data["cost_fen"] = None if cost is None else yuan_to_fen(cost)
        return data


# --- other actions: a form from the action's schema --------------------------------------------

_FIELD_LABELS = {
    "note": _("备注"),
    "reason": _("原因"),
    "target": pgettext_lazy("label", "目标"),
    "due_at": _("新的截止时间"),
    "customer_agreed": _("客户已同意"),
    "confirmation": pgettext_lazy("label", "确认方式"),
    "channel": pgettext_lazy("label", "联系方式"),
    "confirmed_by": pgettext_lazy("label", "确认人"),
    "confirmed_at": pgettext_lazy("label", "确认时间"),
    "reached": pgettext_lazy("label", "已联系上"),
    "decision": pgettext_lazy("label", "审批意见"),
}

#: How the values of a choice field built from a schema read (the code itself otherwise).
_CHOICE_LABELS: dict[str, dict] = {
    "confirmation": dict(ConfirmationMethod.choices),
    "channel": dict(ConfirmationChannel.choices),
    "decision": {"approve": _("批准"), "decline": _("驳回")},
}


def _unwrap(annotation):
    """``X | None`` → (X, True); anything else → (annotation, False)."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def _is_datetime(annotation) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, datetime):
        return True
    return getattr(annotation, "__name__", "").endswith("Datetime")


def _max_length(info) -> int | None:
    for item in info.metadata or ():
        if getattr(item, "max_length", None):
            return item.max_length
    return None


def schema_form_class(schema, *, target_choices=()) -> type[ActionForm]:
    """A form for an action without a form of its own, built from its body ``schema`` (a
    pydantic model): text, numbers, yes/no, dates, times and choices. ``target_choices`` fills
    a field named ``target`` (a deadline) with the ticket's running deadlines."""
    fields: dict[str, forms.Field] = {}
    for name, info in schema.model_fields.items():
        annotation, optional = _unwrap(info.annotation)
        required = info.is_required() and not optional
        label = _FIELD_LABELS.get(name) or info.title or info.description or name
        if name == "target" and target_choices:
            field: forms.Field = forms.ChoiceField(label=label, choices=list(target_choices),
                                                   required=required)
        elif get_origin(annotation) is Literal:
            names = _CHOICE_LABELS.get(name, {})
            choices = [(value, names.get(value, value)) for value in get_args(annotation)]
            if not required and info.default is None:
                choices = [("", _("请选择…")), *choices]
            field = forms.ChoiceField(label=label, required=required, choices=choices)
        elif annotation is bool:
            field = forms.BooleanField(label=label, required=required)
        elif annotation is int:
            field = forms.IntegerField(label=label, required=required)
        elif _is_datetime(annotation):
            field = forms.DateTimeField(label=label, required=required,
                                        input_formats=[DATETIME_LOCAL],
                                        widget=DateTimeLocalInput())
        elif annotation is date:
            field = forms.DateField(label=label, required=required, widget=DateInput())
        else:
            length = _max_length(info)
            long_text = name in ("note", "reason") or (length or 0) > 200
            field = forms.CharField(
                label=label, required=required, max_length=length,
                widget=forms.Textarea(attrs={"rows": 2}) if long_text else forms.TextInput(),
            )
        if info.default not in (None, PydanticUndefined) and not callable(info.default):
            field.initial = info.default  # a yes/no that defaults to yes starts ticked
        fields[name] = field
    return type(f"{schema.__name__}Form", (ActionForm,), fields)


# --- quotes (dispatch) ------------------------------------------------------------------------


class QuoteForm(DomainErrorsMixin, forms.Form):
    """A quote for out-of-warranty work, typed in yuan with two decimals (SPEC §4). ``amounts``
    gives the integer fen the service takes — Decimal arithmetic, never a float. The rules
    (not negative, not absurd, not all zero) are the service's, so that the page and the API
    say the same beside the same fields."""

    domain_field_map = {"labour_fen": "labour_yuan", "parts_fen": "parts_yuan",
                        "travel_fen": "travel_yuan"}

    labour_yuan = forms.DecimalField(
        label=_("人工费（元）"), required=False, max_digits=12, decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    parts_yuan = forms.DecimalField(
        label=_("配件费（元）"), required=False, max_digits=12, decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    travel_yuan = forms.DecimalField(
        label=_("上门费（元）"), required=False, max_digits=12, decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    note = forms.CharField(
        label=_("维修内容"), max_length=2000,
        help_text=_("客户会在短信链接里看到这段说明。"),
        widget=forms.Textarea(attrs={"rows": 2,
                                     "placeholder": _("例如：更换压缩机启动电容，补充冷媒")}),
    )
    valid_until = forms.DateField(label=_("有效期至（选填）"), required=False,
                                  widget=DateInput())

    def amounts(self) -> dict[str, int]:
        data = self.cleaned_data
        return {
            f"{name}_fen": yuan_to_fen(data.get(f"{name}_yuan") or Decimal(0))
            for name in ("labour", "parts", "travel")
        }


class QuoteDeclineForm(DomainErrorsMixin, forms.Form):
    """The customer said no on the phone: why, if they said."""

    reason = forms.CharField(label=_("客户不接受的原因（选填）"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

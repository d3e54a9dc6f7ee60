"""The portal's forms. They parse and check what a person typed; the rules of the domain stay in
the services, whose errors are put back beside the fields by ``add_domain_errors``."""

import secrets

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from fivestar.core.errors import ValidationFailed
from fivestar.core.forms import DomainErrorsMixin
from fivestar.core.signin import LockoutMessageMixin
from fivestar.customers.models import Customer
from fivestar.customers.phones import normalize_phone
from fivestar.portal.selectors import product_model_choices
from fivestar.tickets.models import TicketType
from fivestar.tickets.services import Upload
from fivestar.tickets.services.replies import ALLOWED_TYPES, detect_content_type

FORM_TOKEN_SALT = "fivestar.portal.submit-form"
FORM_TOKEN_MAX_AGE = 24 * 3600
# The order customers look for: the common reasons first.
TYPE_ORDER = (
    TicketType.REPAIR, TicketType.CONSULTATION, TicketType.INSTALLATION, TicketType.MAINTENANCE,
    TicketType.RETURN, TicketType.COMPLAINT, TicketType.SUGGESTION,
)
PHOTO_ACCEPT = "image/*,video/mp4,application/pdf"


def max_photos() -> int:
    return int(getattr(settings, "PORTAL_MAX_PHOTOS", 6))


def issue_form_token() -> str:
    """A one-time token for the request form, signed so that only ours are accepted."""
    return signing.TimestampSigner(salt=FORM_TOKEN_SALT).sign(secrets.token_urlsafe(16))


def read_form_token(signed: str) -> str | None:
    """The token's random part when the signature holds and it is under a day old."""
    try:
        return signing.TimestampSigner(salt=FORM_TOKEN_SALT).unsign(
            signed or "", max_age=FORM_TOKEN_MAX_AGE
        )
    except signing.BadSignature:
        return None


class PortalForm(DomainErrorsMixin, forms.Form):
    """Labels without a trailing colon (the pages put labels above the fields); a service's
    error beside the fields it names (``add_domain_errors``)."""


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several files; each checked by the attachment rules (size, type from the bytes)."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"accept": PHOTO_ACCEPT})

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise forms.ValidationError(_("请选择要上传的照片。"), code="required")
            return []
        if len(files) > max_photos():
            raise forms.ValidationError(
                _("一次最多上传 %(count)d 个文件。"), code="too_many",
                params={"count": max_photos()},
            )
        limit = settings.ATTACHMENT_MAX_BYTES
        errors = []
        for upload in files:
            name = (upload.name or "")[:60]
            if upload.size > limit:
                errors.append(forms.ValidationError(
                    _("“%(name)s”太大了，单个文件不能超过 %(mb)d MB。"), code="too_large",
                    params={"name": name, "mb": limit // (1024 * 1024)},
                ))
                continue
            head = upload.read(8192)
            upload.seek(0)
            if not head:
                errors.append(forms.ValidationError(
                    _("“%(name)s”是空文件。"), code="empty", params={"name": name}))
            elif detect_content_type(head) not in ALLOWED_TYPES:
                errors.append(forms.ValidationError(
                    _("“%(name)s”的格式不支持。可以上传照片、PDF 或 MP4 视频。"),
                    code="unsupported", params={"name": name},
                ))
        if errors:
            raise forms.ValidationError(errors)
        return files


def uploads_of(files) -> list[Upload]:
    return [Upload(name=f.name or "photo", content=f, size=f.size or 0) for f in files or []]


class PhoneField(forms.CharField):
    """A phone number, normalised (E.164); an invalid one is an error beside the field."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(*args, **kwargs)
        self.widget.input_type = "tel"
        self.widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        try:
            return normalize_phone(value)
        except ValidationFailed:
            raise forms.ValidationError(
                _("请填写正确的手机号码，例如 138 1234 5678。"), code="invalid_phone"
            ) from None


class SubmitForm(PortalForm):
    """报修/咨询: a request without an account."""

    token = forms.CharField(widget=forms.HiddenInput)
    type = forms.ChoiceField(
        label=_("您需要"), widget=forms.RadioSelect, initial=TicketType.REPAIR,
        choices=[(t.value, t.label) for t in TYPE_ORDER],
    )
    description = forms.CharField(
        label=pgettext_lazy("label", "问题描述"), max_length=4000,
        error_messages={"required": _("请描述一下遇到的问题。")},
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("什么时候开始的、出现了什么现象、有没有报错代码。"),
    )
    photos = PhotosField(label=_("照片（选填）"))
    product_model = forms.ChoiceField(label=_("产品型号（选填）"), required=False)
    serial_number = forms.CharField(
        label=_("序列号（选填）"), required=False, max_length=80,
        help_text=_("在机身铭牌或包装盒上，通常以 SN 开头。"),
    )
    purchase_date = forms.DateField(
        label=_("购买日期（选填）"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    name = forms.CharField(label=_("您的称呼"), max_length=100,
                           error_messages={"required": _("请告诉我们怎么称呼您。")},
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = PhoneField(label=_("手机号码"),
                       error_messages={"required": _("请填写手机号码，我们用它联系您。")},
                       help_text=_("工单号和处理进展会通过短信发到这个号码。"))
    email = forms.EmailField(
        label=_("邮箱（选填）"), required=False, max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    address = forms.CharField(
        label=_("地址（选填）"), required=False, max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
        help_text=_("需要上门时使用，请写到门牌号。"),
    )

    # The service's field names → this form's.
    domain_field_map = {
        "customer.name": "name", "customer.phone": "phone", "customer.email": "email",
        "customer.address": "address", "file": "photos", "title": "description",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product_model"].choices = [("", _("不确定 / 不知道型号")),
                                                *product_model_choices()]
        self.fields["purchase_date"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["photos"].help_text = gettext(
            "可以拍下故障现象、铭牌或购买凭证，最多 %(count)d 个文件。"
        ) % {"count": max_photos()}

    def clean_token(self):
        token = read_form_token(self.cleaned_data["token"])
        if token is None:
            raise forms.ValidationError(_("页面已过期，请确认内容后再提交一次。"))
        return token

    def clean_purchase_date(self):
        value = self.cleaned_data.get("purchase_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("购买日期不能晚于今天。"))
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("serial_number") and not cleaned.get("product_model"):
            self.add_error("product_model", _("填写了序列号时，请同时选择产品型号。"))
        return cleaned


class TrackForm(PortalForm):
    """查询进度: a ticket number and the phone it was registered with."""

    number = forms.CharField(
        label=pgettext_lazy("label", "工单号"), max_length=24,
        error_messages={"required": _("请填写工单号。")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                      "placeholder": "SR-20261124-000123",
                                      "spellcheck": "false"}),
        help_text=_("在短信或邮件里，以 SR 开头。"),
    )
    phone = PhoneField(label=_("报修时留的手机号码"),
                       error_messages={"required": _("请填写手机号码。")})

    def clean_number(self):
        return self.cleaned_data["number"].strip().upper().replace(" ", "")


class PhoneForm(PortalForm):
    phone = PhoneField(label=_("手机号码"), error_messages={"required": _("请填写手机号码。")})


class CodeForm(PortalForm):
    code = forms.CharField(
        label=_("短信验证码"), max_length=12,
        error_messages={"required": _("请输入短信里的 6 位验证码。")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "pattern": "[0-9 ]*", "class": "code-input"}),
    )


class ReplyForm(PortalForm):
    body = forms.CharField(label=_("补充说明"), max_length=4000,
                           error_messages={"required": _("请写下要告诉我们的内容。")},
                           widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("照片（选填）"))

    domain_field_map = {"file": "photos"}


class PhotosForm(PortalForm):
    # Prefixed: the reply form on the same page has a "photos" field too (ids must be unique).
    prefix = "more"
    photos = PhotosField(label=_("补充照片"), required=True)

    domain_field_map = {"file": "photos"}


class ConfirmForm(PortalForm):
    #: The service asks for the "not solved" reason as the action's ``note``.
    domain_field_map = {"note": "reason"}
    """问题解决了吗？"""

    solved = forms.TypedChoiceField(
        choices=[("yes", _("已解决")), ("no", _("未解决"))],
        coerce=lambda value: value == "yes", widget=forms.HiddenInput,
    )
    reason = forms.CharField(
        label=_("还有什么问题？"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("solved") is False and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("请告诉我们哪里还没有解决，我们会继续处理。"))
        return cleaned


class ReopenForm(PortalForm):
    reason = forms.CharField(
        label=_("问题又出现了？请描述一下"), max_length=2000,
        error_messages={"required": _("请描述一下现在的情况。")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PortalLoginForm(LockoutMessageMixin, AuthenticationForm):
    """账号密码登录 for customers with a portal account. Failures lock the account out from that
    address in every sign-in form (``fivestar.core.signin``). An account without a customer
    record (staff) gets the same answer as a wrong password: the customer-facing form must not
    tell whether a staff account exists or its password is right."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码不正确。"),
    }

    def __init__(self, request=None, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not Customer.objects.filter(user=user, anonymised_at__isnull=True).exists():
            raise self.get_invalid_login_error()


class QuoteDeclineForm(PortalForm):
    """不接受报价: why, if the customer wants to say."""

    prefix = "quote"
    reason = forms.CharField(
        label=_("可以告诉我们原因吗？（选填）"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

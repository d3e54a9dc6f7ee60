from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "fivestar.customers"
    label = "customers"
    verbose_name = _("客户")

    def ready(self) -> None:
        from fivestar.core import privacy
        from fivestar.customers.masking import mask
        from fivestar.customers.privacy import may_reveal_contact
        from fivestar.customers.selectors import customer_with_contact
        from fivestar.customers.services import record_personal_data_access

        # The back office's pages in every app mask and log through these (core.admin).
        privacy.install(privacy.PersonalDataRules(
            mask=mask, may_reveal=may_reveal_contact, record_access=record_personal_data_access,
            owner_of_contact=customer_with_contact,
        ))

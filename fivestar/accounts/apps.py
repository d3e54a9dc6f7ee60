from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "fivestar.accounts"
    label = "accounts"
    verbose_name = _("组织与账号")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from fivestar.accounts.models import ApiToken, Role, User
        from fivestar.accounts.selectors import forget_tokens

        # A changed token, user or role is seen by the next request (user_for_token).
        for model in (ApiToken, User, Role):
            post_save.connect(forget_tokens, sender=model, dispatch_uid=f"tokens-{model.__name__}")
            post_delete.connect(forget_tokens, sender=model,
                                dispatch_uid=f"tokens-del-{model.__name__}")
        m2m_changed.connect(forget_tokens, sender=User.roles.through, dispatch_uid="tokens-roles")

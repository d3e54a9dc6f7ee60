from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo data set and the ``demo`` / ``seed_demo`` commands: the top of the house, which
    may use every app and which no app uses."""

    name = "fivestar.demo"
    label = "demo"
    verbose_name = _("演示")

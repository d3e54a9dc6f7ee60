from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "fivestar.surveys"
    label = "surveys"
    verbose_name = _("满意度测评")

    def ready(self) -> None:
        from fivestar.core import periodic
        from fivestar.surveys import events, handlers, tasks

        events.declare()
        handlers.register()
        periodic.register("surveys.sweep", tasks.survey_sweep, every_seconds=60)

"""Back office for satisfaction surveys: settings, the abusive-word list, special-survey rules
(editable data); templates, invitations, responses, points and samples to look at. A template is
changed by publishing a new version (``services.publish_template``), never edited in place."""

from django.contrib import admin

from fivestar.core.admin import ViewOnlyAdmin
from fivestar.surveys.models import (
    AbusiveWord,
    Invitation,
    PointsEntry,
    SampleRun,
    SpecialRule,
    SurveyOptOut,
    SurveyResponse,
    SurveySettings,
    SurveyTemplate,
)


@admin.register(SurveySettings)
class SurveySettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "routine_delay_minutes", "points_per_response", "csat_threshold",
                    "improvement_threshold", "min_scope_responses")

    def has_add_permission(self, request):
        return not SurveySettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AbusiveWord)
class AbusiveWordAdmin(admin.ModelAdmin):
    list_display = ("word", "active")
    list_editable = ("active",)
    search_fields = ("word",)


@admin.register(SpecialRule)
class SpecialRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "ticket_type", "priorities", "min_cost_fen", "min_visits", "active")


@admin.register(SurveyTemplate)
class SurveyTemplateAdmin(ViewOnlyAdmin):
    list_display = ("code", "version", "title_zh", "comment_required", "is_current",
                    "created_at")


@admin.register(Invitation)
class InvitationAdmin(ViewOnlyAdmin):
    list_display = ("pk", "kind", "status", "skip_reason", "ticket", "due_at", "sent_at",
                    "reminded_at", "expires_at")
    list_filter = ("kind", "status")
    list_select_related = ("ticket",)
    raw_id_fields = ("ticket", "customer")


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ViewOnlyAdmin):
    list_display = ("pk", "ticket", "channel", "timeliness", "ability", "attitude",
                    "professionalism", "communication", "solved", "valid", "submitted_at")
    list_filter = ("valid", "channel", "kind")
    list_select_related = ("ticket",)


@admin.register(PointsEntry)
class PointsEntryAdmin(ViewOnlyAdmin):
    list_display = ("customer", "amount", "reason", "at")
    raw_id_fields = ("customer",)


@admin.register(SurveyOptOut)
class SurveyOptOutAdmin(admin.ModelAdmin):
    list_display = ("customer", "at", "note")
    raw_id_fields = ("customer",)


@admin.register(SampleRun)
class SampleRunAdmin(ViewOnlyAdmin):
    list_display = ("period", "seed", "population", "sampled", "created_at")

"""The customer portal (phone-first). Each view module contributes its own routes."""

from fivestar.portal.views import account, follow, home, quote, submit, survey, ticket

app_name = "portal"

urlpatterns = [
    *home.urlpatterns,
    *submit.urlpatterns,
    *follow.urlpatterns,
    *ticket.urlpatterns,
    *quote.urlpatterns,
    *account.urlpatterns,
    *survey.urlpatterns,
]

"""Template context every page needs."""

from django.conf import settings


def site(request) -> dict:
    return {"SERVICE_HOTLINE": settings.SERVICE_HOTLINE}

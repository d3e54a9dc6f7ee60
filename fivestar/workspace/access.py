"""Who may use the staff workspace: signed-in users holding a staff role (not customers)."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from fivestar.accounts.models import RoleCode

STAFF_ROLES = tuple(code for code in RoleCode.values if code != RoleCode.CUSTOMER)


def is_staff_member(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.has_role(*STAFF_ROLES)))


def staff_required(view):
    """Sign-in page for visitors; 403 for a signed-in user without a staff role."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_staff_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def roles_required(*roles: str):
    """Like ``staff_required`` but only for the given roles (superusers always pass)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (request.user.is_superuser or request.user.has_role(*roles)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return staff_required(wrapper)

    return decorator

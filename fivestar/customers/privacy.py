"""Who may see customers' personal data whole, and who reads the log of those views (SPEC §9).

SPEC §9 (Privacy and security): "phone numbers and addresses are masked (``138****5678``) unless
the viewer needs them, and every unmasked view is logged". The values are masked by
``customers.masking.mask``; the roles below say who needs them whole; every view of a whole
value is written by ``customers.services.record_personal_data_access``.
"""

from fivestar.accounts.models import RoleCode, User

#: Who may see a customer's contact details unmasked: the people who contact customers or plan
#: visits. Quality auditors and warehouse keepers work with the masked values.
REVEAL_ROLES = frozenset(
    {RoleCode.AGENT, RoleCode.TECHNICIAN, RoleCode.SENIOR_TECHNICIAN, RoleCode.SUPERVISOR,
     RoleCode.MANAGER, RoleCode.ADMINISTRATOR}
)
#: Who reads the personal-data access log: administrators, and quality auditors, who check
#: that personal data is used as it should be (SPEC §8 quality supervision, §9).
ACCESS_LOG_READER_ROLES = frozenset({RoleCode.ADMINISTRATOR, RoleCode.QUALITY_AUDITOR})


def may_reveal_contact(*, user: User) -> bool:
    """Whether ``user``'s roles allow seeing contact details unmasked (a superuser counts as an
    administrator)."""
    return bool(user.is_authenticated and user.is_active and user.role_codes() & REVEAL_ROLES)


def may_read_access_log(*, user: User) -> bool:
    """Whether ``user`` may read the personal-data access log."""
    return bool(user.is_authenticated and user.is_active
                and user.role_codes() & ACCESS_LOG_READER_ROLES)

"""Forms on pages: a service's domain error shown beside the fields it names (DESIGN.md: "the
pages turn it into a message beside the field, in one place")."""

from collections.abc import Mapping

from fivestar.core.errors import DomainError


class DomainErrorsMixin:
    """For a Django form whose input goes to a service: ``add_domain_errors`` puts the
    service's ``DomainError`` beside the fields it names — the same messages the API gives.
    Labels stand above their fields, without a colon."""

    #: The service's field names → this form's field names (``cost_fen`` → ``cost_yuan``).
    domain_field_map: Mapping[str, str] = {}
    #: Whether the error's message also stands at the top of the form when it was placed
    #: beside a field (a long form: the summary tells the reader something is wrong before
    #: they find the field).
    domain_error_summary: bool = False

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def add_domain_errors(self, error: DomainError) -> None:
        """Each of ``error.fields`` beside its field; whatever names no field of the form (or
        an error without fields) at the top of the form."""
        placed = False
        for name, messages in error.fields.items():
            target = self.domain_field_map.get(name, name)
            if target not in self.fields:
                continue
            for message in messages or [error.message]:
                self.add_error(target, message)
            placed = True
        if not placed or (self.domain_error_summary and error.message and not any(
            error.message in message for message in self.non_field_errors()
        )):
            self.add_error(None, error.message)

"""A scratch space that lives for one block of a request: what one step of it learnt and a
later step of the same block would otherwise read back from the database.

``with request_memo(): ...`` opens it (the ticket API's create endpoint: the SLA engine keeps
the clocks it has just started, and the answer shows their deadlines without reading them
back); ``memo()`` is the dict, or None outside such a block — then nothing is kept and every
reader asks the database. Values are only ever what this block wrote itself.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_memo: ContextVar[dict | None] = ContextVar("fivestar_request_memo", default=None)


@contextmanager
def request_memo() -> Iterator[dict]:
    scratch: dict = {}
    token = _memo.set(scratch)
    try:
        yield scratch
    finally:
        _memo.reset(token)


def memo() -> dict | None:
    return _memo.get()

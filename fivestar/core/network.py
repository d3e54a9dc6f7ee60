"""The client's network address: one answer for the sign-in lockout and every rate limit.

Behind a reverse proxy every request comes from the proxy, so the address to count is the one
the proxy saw. Trusting ``X-Forwarded-For`` from anyone would let a client name any address it
likes and step round every limit; so the header is read only when the request comes from an
address listed in ``TRUSTED_PROXIES`` (addresses or networks), and only as far back as the hops
those proxies added. With ``TRUSTED_PROXIES`` empty (the default) the address is ``REMOTE_ADDR``.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def trusted_proxies() -> tuple[IPNetwork, ...]:
    """The networks of ``settings.TRUSTED_PROXIES`` (a list of addresses or CIDR networks)."""
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


def _parse(value: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_address(request: HttpRequest) -> str:
    """The address of the client that sent ``request``, or "" when the server was not told one.

    ``X-Forwarded-For`` is read from the right: each trusted proxy appended the address that
    connected to it, so the first hop that is not a trusted proxy is the client. Whatever lies
    further left was written by the client itself and is never believed.
    """
    remote = _parse(request.META.get("REMOTE_ADDR", "") or "")
    if remote is None:
        return ""
    networks = trusted_proxies()
    if not networks or not _trusted(remote, networks):
        return str(remote)
    client = remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            break  # not an address: nothing a trusted proxy wrote, stop at the last one it did
        client = address
        if not _trusted(address, networks):
            break
    return str(client)

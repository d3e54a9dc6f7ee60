"""The one client-address helper (issue 13 item 7): REMOTE_ADDR unless a trusted proxy says."""

from django.test import RequestFactory

from fivestar.core.network import client_address


def request(remote: str = "10.0.0.2", forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(request(forwarded="198.51.100.7")) == "10.0.0.2"


def test_a_trusted_proxy_names_the_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_address(request(forwarded="198.51.100.7")) == "198.51.100.7"


def test_what_the_client_wrote_itself_is_not_believed(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "192.168.1.1"]
    # client forged "1.2.3.4"; the first proxy (192.168.1.1) appended the real 198.51.100.7
    forwarded = "1.2.3.4, 198.51.100.7, 192.168.1.1"
    assert client_address(request(forwarded=forwarded)) == "198.51.100.7"


def test_a_request_not_from_a_trusted_proxy_is_its_own_address(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_address(request(remote="203.0.113.9", forwarded="198.51.100.7")) == (
        "203.0.113.9")


def test_garbage_in_the_header_stops_at_the_last_address_a_proxy_wrote(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_address(request(forwarded="<script>, 10.0.0.5")) == "10.0.0.5"
    assert client_address(request(forwarded="")) == "10.0.0.2"


def test_no_address_at_all(settings):
    assert client_address(request(remote="")) == ""
    assert client_address(request(remote="not-an-ip")) == ""

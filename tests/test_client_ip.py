"""X-Forwarded-For is believed only behind as many proxies as TRUSTED_PROXY_COUNT says."""

from __future__ import annotations

import pytest

from aefront.client_ip import client_ip


@pytest.fixture
def request_from(rf):
    def make(remote: str, forwarded: str | None = None):
        extra = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            extra["HTTP_X_FORWARDED_FOR"] = forwarded
        return rf.get("/", **extra)

    return make


def test_without_the_setting_the_header_is_ignored(request_from, settings):
    settings.AEFRONT_TRUSTED_PROXY_COUNT = 0

    assert client_ip(request_from("127.0.0.1", "198.51.100.9")) == "127.0.0.1"


def test_behind_one_proxy_the_address_it_appended_is_the_client(request_from, settings):
    settings.AEFRONT_TRUSTED_PROXY_COUNT = 1

    # The client sent a forged first entry; the proxy appended the real address.
    assert client_ip(request_from("127.0.0.1", "10.9.9.9, 198.51.100.9")) == "198.51.100.9"


def test_behind_two_proxies_the_second_from_the_right(request_from, settings):
    settings.AEFRONT_TRUSTED_PROXY_COUNT = 2

    forwarded = "10.9.9.9, 198.51.100.9, 192.0.2.1"
    assert client_ip(request_from("127.0.0.1", forwarded)) == "198.51.100.9"


@pytest.mark.parametrize("forwarded", [None, "", "not-an-address", " , "])
def test_a_missing_or_bad_header_falls_back_to_the_peer(request_from, settings, forwarded):
    settings.AEFRONT_TRUSTED_PROXY_COUNT = 1

    assert client_ip(request_from("127.0.0.1", forwarded)) == "127.0.0.1"


def test_fewer_hops_than_proxies_is_not_believed(request_from, settings):
    settings.AEFRONT_TRUSTED_PROXY_COUNT = 2

    assert client_ip(request_from("127.0.0.1", "198.51.100.9")) == "127.0.0.1"


def test_ipv6_is_normalised(request_from, settings):
    settings.AEFRONT_TRUSTED_PROXY_COUNT = 1

    assert client_ip(request_from("::1", "2001:DB8::0:1")) == "2001:db8::1"

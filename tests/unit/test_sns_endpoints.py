"""Where SNS may deliver: never the server itself (any local address on its port); only listed destinations when
``--sns-http-allow`` is set (security finding 9)."""

import pytest

from rootplane.services.sns.endpoints import is_server_itself, permitted

PORT = 4566


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:4566/", "http://localhost:4566/x", "http://127.9.8.7:4566/", "http://0.0.0.0:4566/",
    "http://LOCALHOST:4566/?Action=CreateTopic", "https://127.0.0.1:4566/",
])
def test_any_local_address_on_the_servers_port_is_the_server(url):
    assert is_server_itself(url, PORT)
    assert not permitted(url, PORT, ())


@pytest.mark.parametrize("url", ["http://127.0.0.1:4567/", "http://localhost/", "http://192.0.2.10:4566/"])
def test_other_ports_and_remote_addresses_are_not(url):
    assert not is_server_itself(url, PORT)
    assert permitted(url, PORT, ())


def test_the_default_port_of_the_scheme_counts():
    assert is_server_itself("http://127.0.0.1/", 80)
    assert is_server_itself("https://localhost/", 443)


def test_an_allow_list_admits_only_its_networks_and_host_ports():
    rules = ("10.0.0.0/8", "127.0.0.1:8080")
    assert permitted("http://10.1.2.3:9/hook", PORT, rules)
    assert permitted("http://127.0.0.1:8080/hook", PORT, rules)
    assert permitted("http://localhost:8080/hook", PORT, rules)
    assert not permitted("http://127.0.0.1:8081/hook", PORT, rules)
    assert not permitted("http://192.0.2.10/hook", PORT, rules)
    assert not permitted("http://127.0.0.1:4566/", PORT, ("127.0.0.0/8",)), "never the server itself"


def test_malformed_endpoints_are_refused():
    assert not permitted("http://:99999/", PORT, ())
    assert not permitted("http:///nohost", PORT, ())

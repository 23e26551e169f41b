"""SNS security: AuthenticateOnUnsubscribe protects a subscription from unsigned unsubscribes (security finding 8);
HTTP deliveries never reach the server itself nor follow redirects (security finding 9)."""

from __future__ import annotations

import http.server
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from harness import error_of, start_server
from test_sns_delivery import _subscribed_queue


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _unsigned(server, action: str, **params: str) -> tuple[int, bytes]:
    """The request a link in a message makes: no credentials at all."""
    return _get(f"{server.endpoint}/?{urllib.parse.urlencode({'Action': action, **params})}")


def _email_subscription(server, topic: str, email: str) -> str:
    """Subscribe an address and return the confirmation token mailed to it."""
    server.client("sns").subscribe(TopicArn=topic, Protocol="email", Endpoint=email)
    body = server.get_json(f"/_rootplane/outbox?to={email}")[-1]["body"]
    return re.search(r"Token: (\S+)", body).group(1)


def _subscriptions(server, topic: str) -> list[str]:
    return [s["SubscriptionArn"] for s in server.client("sns").list_subscriptions_by_topic(TopicArn=topic)
            ["Subscriptions"]]


# -- finding 8: AuthenticateOnUnsubscribe ------------------------------------------------------------------------

def test_a_protected_subscription_refuses_unsigned_unsubscribe(server, unique):
    sns = server.client("sns")
    topic = sns.create_topic(Name=f"guarded-{unique}")["TopicArn"]
    token = _email_subscription(server, topic, f"guarded-{unique}@example.com")
    arn = sns.confirm_subscription(TopicArn=topic, Token=token, AuthenticateOnUnsubscribe="true")["SubscriptionArn"]
    status, body = _unsigned(server, "Unsubscribe", SubscriptionArn=arn)
    assert status == 403 and b"<Code>AuthorizationError</Code>" in body
    assert arn in _subscriptions(server, topic)
    sns.unsubscribe(SubscriptionArn=arn)  # the topic owner, signed
    assert arn not in _subscriptions(server, topic)


def test_an_unprotected_subscription_still_unsubscribes_by_its_link(server, unique):
    sns = server.client("sns")
    topic = sns.create_topic(Name=f"open-{unique}")["TopicArn"]
    token = _email_subscription(server, topic, f"open-{unique}@example.com")
    arn = sns.confirm_subscription(TopicArn=topic, Token=token)["SubscriptionArn"]
    assert _unsigned(server, "Unsubscribe", SubscriptionArn=arn)[0] == 200
    assert arn not in _subscriptions(server, topic)


def test_authenticate_on_unsubscribe_needs_a_signed_confirmation(server, unique):
    sns = server.client("sns")
    topic = sns.create_topic(Name=f"unsigned-confirm-{unique}")["TopicArn"]
    token = _email_subscription(server, topic, f"unsigned-confirm-{unique}@example.com")
    status, body = _unsigned(server, "ConfirmSubscription", TopicArn=topic, Token=token,
                             AuthenticateOnUnsubscribe="true")
    assert status == 403 and b"<Code>AuthorizationError</Code>" in body
    assert _subscriptions(server, topic) == ["PendingConfirmation"]


def test_queue_subscriptions_always_need_a_signed_unsubscribe(server, unique):
    sns = server.client("sns")
    topic = sns.create_topic(Name=f"queue-{unique}")["TopicArn"]
    _, arn = _subscribed_queue(server, topic, f"queue-{unique}")
    status, body = _unsigned(server, "Unsubscribe", SubscriptionArn=arn)
    assert status == 403 and b"<Code>AuthorizationError</Code>" in body
    assert arn in _subscriptions(server, topic)


# -- finding 9: SSRF through HTTP subscriptions -----------------------------------------------------------------

@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "127.0.0.2", "[::1]", "0.0.0.0"])
def test_the_server_itself_is_no_endpoint(server, unique, host):
    sns = server.client("sns")
    topic = sns.create_topic(Name=f"self-{unique}")["TopicArn"]
    code, message, status = error_of(sns.subscribe, TopicArn=topic, Protocol="http",
                                     Endpoint=f"http://{host}:{server.port}/?Action=CreateTopic&Name=x")
    assert (code, status) == ("InvalidParameter", 400)
    assert message == "Invalid parameter: Endpoint Reason: not an allowed HTTP destination"


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Answers every POST with a redirect to ``target`` and records the requests it gets."""

    target = ""
    seen: list[str] = []

    def do_POST(self):  # noqa: N802 - http.server naming
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.seen.append(self.path)
        self.send_response(302)
        self.send_header("Location", self.target)
        self.end_headers()

    do_GET = do_POST  # noqa: N815

    def log_message(self, *args):
        pass


def test_deliveries_do_not_follow_redirects(server, unique):
    listener = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.target = f"http://127.0.0.1:{listener.server_port}/redirected"
    _Recorder.seen = []
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    try:
        sns = server.client("sns")
        topic = sns.create_topic(Name=f"redirect-{unique}")["TopicArn"]
        sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=f"http://127.0.0.1:{listener.server_port}/hook")
        deadline = threading.Event()
        for _ in range(50):
            if _Recorder.seen:
                break
            deadline.wait(0.1)
        deadline.wait(0.5)
        assert _Recorder.seen == ["/hook"]
    finally:
        listener.shutdown()


def test_allowed_endpoints_are_configurable(unique):
    """``--sns-http-allow`` replaces the default (every address but the server's own): here only one network."""
    server = start_server(args=("--sns-http-allow", "10.0.0.0/8"))
    try:
        sns = server.client("sns")
        topic = sns.create_topic(Name=f"allow-{unique}")["TopicArn"]
        assert error_of(sns.subscribe, TopicArn=topic, Protocol="http",
                        Endpoint="http://127.0.0.1:9/hook")[0] == "InvalidParameter"
        assert sns.subscribe(TopicArn=topic, Protocol="http", Endpoint="http://10.1.2.3:9/hook")["SubscriptionArn"] \
            == "pending confirmation"
    finally:
        server.close()

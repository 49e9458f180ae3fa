"""sources.fetching against a real HTTP server on 127.0.0.1 (pytest-httpserver).

Nothing here reaches another machine: the server is local, the names "public.test"
and "intranet.test" are answered by a replaced resolver, and the private addresses
redirected to are refused before any connection is tried.
"""

import datetime
import gzip
import hashlib
import ipaddress
import time

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from sources import fetching
from sources.fetching import FetchRefused, fetch

PAGE = (
    "<!doctype html><html lang=en><head><title>Bridge</title></head>"
    "<body><p>Mayor Zoë Okafor said the bridge “will reopen by June”.</p></body></html>"
).encode()
LATIN_1 = "<p>Le café de la gare a rouvert à l'été.</p>"


@pytest.fixture(scope="module")
def server_on_127_0_0_1():
    # The plugin's server listens on "localhost", which may resolve to ::1 first.
    server = HTTPServer(host="127.0.0.1")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def httpserver(server_on_127_0_0_1):
    server_on_127_0_0_1.clear()
    return server_on_127_0_0_1


@pytest.fixture(autouse=True)
def local_hosts_only(settings):
    """Whatever pyproject's environment says, fetch only from the names the tests
    use, and within seconds."""
    settings.CLAIMTRACK_FETCH_ALLOWED_HOSTS = [
        "127.0.0.1",
        "public.test",
        "intranet.test",
        "10.255.255.1",
        "[::1]",
    ]
    settings.CLAIMTRACK_FETCH_TIMEOUT = 5.0


@pytest.fixture
def public_test(monkeypatch):
    """ "public.test" resolves to 127.0.0.1, which counts as public; "intranet.test"
    resolves to 10.0.0.5. Everything else is judged as it really is."""
    real_resolve, real_kind = fetching.resolve, fetching.non_public_kind
    answers = {
        "public.test": [ipaddress.ip_address("127.0.0.1")],
        "intranet.test": [ipaddress.ip_address("10.0.0.5")],
    }
    monkeypatch.setattr(
        fetching,
        "resolve",
        lambda host, port: answers.get(host) or real_resolve(host, port),
    )
    monkeypatch.setattr(
        fetching,
        "non_public_kind",
        lambda address: None if str(address) == "127.0.0.1" else real_kind(address),
    )
    return answers


def refusal(url, **kwargs) -> FetchRefused:
    with pytest.raises(FetchRefused) as caught:
        fetch(url, **kwargs)
    return caught.value


def redirect(location, status=302) -> Response:
    return Response(status=status, headers={"Location": location})


def test_plain_html_page_has_every_field(httpserver):
    httpserver.expect_request("/page").respond_with_data(
        PAGE,
        content_type="text/html; charset=utf-8",
        headers={
            "ETag": '"v1"',
            "Last-Modified": "Mon, 02 Mar 2026 10:00:00 GMT",
            "Content-Language": "en",
            "X-Powered-By": "nothing we keep",
        },
    )
    url = httpserver.url_for("/page")
    before = datetime.datetime.now(datetime.UTC)

    page = fetch(url, allow_private=True)

    assert page.url == url
    assert page.final_url == url
    assert page.status == 200
    assert page.body == PAGE
    assert page.text == PAGE.decode()
    assert page.charset == "utf-8 (header)"
    assert page.media_type == "text/html"
    assert page.sha256 == hashlib.sha256(PAGE).hexdigest()
    assert page.address == "127.0.0.1"
    assert page.redirects == []
    assert page.fetched_at.utcoffset() == datetime.timedelta(0)
    assert before <= page.fetched_at <= datetime.datetime.now(datetime.UTC)
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["etag"] == '"v1"'
    assert page.headers["last-modified"] == "Mon, 02 Mar 2026 10:00:00 GMT"
    assert page.headers["content-language"] == "en"
    assert "date" in page.headers
    assert set(page.headers) <= set(fetching.KEPT_HEADERS)


def test_user_agent_names_claimtrack_and_a_contact(httpserver):
    httpserver.expect_request(
        "/", headers={"User-Agent": fetching.user_agent()}
    ).respond_with_data("hello", content_type="text/plain")

    fetch(httpserver.url_for("/"), allow_private=True)

    assert fetching.user_agent().startswith("claimtrack/0.")
    assert "(+" in fetching.user_agent()
    httpserver.check_assertions()


def test_gzip_body_is_kept_decoded(httpserver):
    httpserver.expect_request("/zipped").respond_with_data(
        gzip.compress(PAGE),
        content_type="text/html; charset=utf-8",
        headers={"Content-Encoding": "gzip"},
    )

    page = fetch(httpserver.url_for("/zipped"), allow_private=True)

    assert page.body == PAGE
    assert page.sha256 == hashlib.sha256(PAGE).hexdigest()


def test_redirect_chain_is_followed_and_listed(httpserver):
    httpserver.expect_request("/a").respond_with_response(redirect("b", 301))
    httpserver.expect_request("/b").respond_with_response(
        redirect(httpserver.url_for("/c?page=2"), 307)
    )
    httpserver.expect_request("/c").respond_with_data(PAGE, content_type="text/html")

    page = fetch(httpserver.url_for("/a#top"), allow_private=True)

    assert page.url == httpserver.url_for("/a#top")
    assert page.final_url == httpserver.url_for("/c?page=2")
    assert page.redirects == [httpserver.url_for("/a"), httpserver.url_for("/b")]
    assert page.body == PAGE


def test_redirects_up_to_the_limit_are_followed_and_one_more_is_refused(
    httpserver, settings
):
    settings.CLAIMTRACK_FETCH_MAX_REDIRECTS = 2
    for hop in range(3):
        httpserver.expect_request(f"/{hop}").respond_with_response(
            redirect(f"/{hop + 1}")
        )
    httpserver.expect_request("/3").respond_with_data("end", content_type="text/plain")

    assert len(fetch(httpserver.url_for("/1"), allow_private=True).redirects) == 2
    refused = refusal(httpserver.url_for("/0"), allow_private=True)
    assert refused.reason == "too_many_redirects"
    assert "more than 2 redirects" in str(refused)


def test_loopback_server_is_refused_unless_allowed(httpserver, settings):
    httpserver.expect_request("/").respond_with_data("hi", content_type="text/plain")
    url = httpserver.url_for("/")

    refused = refusal(url, allow_private=False)
    assert refused.reason == "private_address"
    assert str(refused) == (
        "refused: 127.0.0.1 is a loopback address "
        "(set CLAIMTRACK_FETCH_ALLOW_PRIVATE=1 to allow)"
    )
    settings.CLAIMTRACK_FETCH_ALLOW_PRIVATE = False
    assert refusal(url).reason == "private_address"
    assert httpserver.log == []  # refused before connecting

    settings.CLAIMTRACK_FETCH_ALLOW_PRIVATE = True
    assert fetch(url).text == "hi"


@pytest.mark.parametrize(
    ("location", "named"),
    [
        ("http://10.255.255.1/", "10.255.255.1 is a private address"),
        ("http://[::1]/", "::1 is a loopback address"),
        ("http://intranet.test/", "intranet.test (10.0.0.5) is a private address"),
    ],
)
def test_every_hop_is_checked_before_connecting(
    httpserver, public_test, location, named
):
    httpserver.expect_request("/hop").respond_with_response(redirect(location))
    url = f"http://public.test:{httpserver.port}/hop"
    started = time.monotonic()

    refused = refusal(url, allow_private=False)

    assert refused.reason == "private_address"
    assert named in str(refused)
    assert time.monotonic() - started < 2  # no connection tried (10.255.255.1 hangs)
    assert len(httpserver.log) == 1


def test_the_host_header_and_name_are_kept_when_the_address_is_pinned(
    httpserver, public_test
):
    httpserver.expect_request("/").respond_with_response(redirect("/next"))
    httpserver.expect_request(
        "/next", headers={"Host": f"public.test:{httpserver.port}"}
    ).respond_with_data("pinned", content_type="text/plain")

    page = fetch(f"http://public.test:{httpserver.port}/", allow_private=False)

    assert page.text == "pinned"
    assert page.final_url == f"http://public.test:{httpserver.port}/next"
    assert page.redirects == [f"http://public.test:{httpserver.port}/"]
    assert page.address == "127.0.0.1"
    httpserver.check_assertions()


def test_a_name_with_any_private_address_is_refused(httpserver, public_test):
    public_test["public.test"].append(ipaddress.ip_address("10.0.0.5"))

    refused = refusal(f"http://public.test:{httpserver.port}/", allow_private=False)

    assert refused.reason == "private_address"
    assert "public.test (10.0.0.5)" in str(refused)
    assert httpserver.log == []


def test_the_address_connected_to_is_checked_again(httpserver, monkeypatch):
    """127.0.0.1 passes the check before connecting and not the one after (as a
    changed DNS answer would): the page is refused though the server answered."""
    httpserver.expect_request("/").respond_with_data("hi", content_type="text/plain")
    real_kind = fetching.non_public_kind
    judged = []

    def public_only_once(address):
        judged.append(address)
        return None if len(judged) == 1 else real_kind(address)

    monkeypatch.setattr(fetching, "non_public_kind", public_only_once)

    refused = refusal(httpserver.url_for("/"), allow_private=False)

    assert refused.reason == "private_address"
    assert judged == [ipaddress.ip_address("127.0.0.1")] * 2
    assert len(httpserver.log) == 1


def test_hosts_outside_the_allowed_list_are_refused_before_resolving(monkeypatch):
    def no_resolving(host, port):
        raise AssertionError(f"asked for {host}")

    monkeypatch.setattr(fetching, "resolve", no_resolving)

    refused = refusal("https://example.org/", allow_private=True)

    assert refused.reason == "host"
    assert "example.org is not among CLAIMTRACK_FETCH_ALLOWED_HOSTS" in str(refused)


def test_a_body_over_the_cap_is_refused(httpserver, settings):
    settings.CLAIMTRACK_FETCH_MAX_BYTES = 1000
    httpserver.expect_request("/fits").respond_with_data(
        b"x" * 1000, content_type="text/plain"
    )
    httpserver.expect_request("/declared").respond_with_data(
        b"x" * 1001, content_type="text/plain"
    )
    # No Content-Length: counted while streaming.
    httpserver.expect_request("/streamed").respond_with_response(
        Response((b"x" * 100 for _ in range(50)), content_type="text/plain")
    )

    assert len(fetch(httpserver.url_for("/fits"), allow_private=True).body) == 1000
    for path in ("/declared", "/streamed"):
        refused = refusal(httpserver.url_for(path), allow_private=True)
        assert refused.reason == "too_large"
        assert "over 1,000 bytes" in str(refused)


def test_a_gzip_bomb_stops_at_the_cap(httpserver, settings):
    settings.CLAIMTRACK_FETCH_MAX_BYTES = 100_000
    httpserver.expect_request("/bomb").respond_with_data(
        gzip.compress(b" " * 10_000_000),  # about 10 KB on the wire
        content_type="text/plain",
        headers={"Content-Encoding": "gzip"},
    )

    assert (
        refusal(httpserver.url_for("/bomb"), allow_private=True).reason == "too_large"
    )


@pytest.mark.slow
def test_a_slow_page_is_refused(httpserver, settings):
    settings.CLAIMTRACK_FETCH_TIMEOUT = 0.5

    def slow(request: Request) -> Response:
        time.sleep(1)
        return Response("late", content_type="text/plain")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    started = time.monotonic()

    refused = refusal(httpserver.url_for("/slow"), allow_private=True)

    assert refused.reason == "timeout"
    assert "longer than 0.5 s" in str(refused)
    assert time.monotonic() - started < 0.9


@pytest.mark.slow
def test_a_trickling_body_is_refused_at_the_overall_deadline(httpserver, settings):
    """Each piece comes well within a read timeout; the whole page does not."""
    settings.CLAIMTRACK_FETCH_TIMEOUT = 1.0

    def trickle():
        for _ in range(20):
            time.sleep(0.1)
            yield b"x" * 10

    httpserver.expect_request("/trickle").respond_with_response(
        Response(trickle(), content_type="text/plain")
    )
    started = time.monotonic()

    refused = refusal(httpserver.url_for("/trickle"), allow_private=True)

    assert refused.reason == "timeout"
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize(
    "content_type", ["application/pdf", "image/png", "application/json"]
)
def test_other_media_types_are_refused_by_name(httpserver, content_type):
    httpserver.expect_request("/file").respond_with_data(
        b"%PDF-1.7", content_type=content_type
    )

    refused = refusal(httpserver.url_for("/file"), allow_private=True)

    assert refused.reason == "media_type"
    assert str(refused) == (
        f"refused: {content_type} is not supported yet: only HTML, XHTML and plain text"
    )


def test_xhtml_is_accepted(httpserver):
    httpserver.expect_request("/x").respond_with_data(
        PAGE, content_type="application/xhtml+xml; charset=utf-8"
    )

    assert fetch(httpserver.url_for("/x"), allow_private=True).media_type == (
        "application/xhtml+xml"
    )


def test_latin_1_named_in_the_header_is_decoded(httpserver):
    httpserver.expect_request("/fr").respond_with_data(
        LATIN_1.encode("latin-1"), content_type="text/html; charset=ISO-8859-1"
    )

    page = fetch(httpserver.url_for("/fr"), allow_private=True)

    assert page.text == LATIN_1
    assert page.charset == "iso8859-1 (header)"


@pytest.mark.parametrize(
    "meta",
    [
        '<meta charset="iso-8859-1">',
        "<META http-equiv=Content-Type content='text/html; charset=latin1'>",
    ],
)
def test_latin_1_named_only_in_a_meta_is_decoded(httpserver, meta):
    body = f"<html><head>{meta}</head><body>{LATIN_1}</body></html>"
    httpserver.expect_request("/fr").respond_with_data(
        body.encode("latin-1"), content_type="text/html"
    )

    page = fetch(httpserver.url_for("/fr"), allow_private=True)

    assert page.text == body
    assert page.charset == "iso8859-1 (meta)"


@pytest.mark.parametrize(
    ("body", "charset"),
    [
        ("Zoë “quoted”".encode(), "utf-8 (detected)"),
        ("Zoë “quoted”".encode("cp1252"), "cp1252 (detected)"),
        (b"Zo\xeb \x81", "iso8859-1 (detected)"),  # 0x81 is not cp1252
    ],
)
def test_without_a_declared_charset_it_is_detected(httpserver, body, charset):
    # A bogus header charset and a non-text codec in a <meta> are ignored.
    html = b'<meta charset="zlib">' + body
    httpserver.expect_request("/t").respond_with_data(
        html, content_type="text/html; charset=no-such-thing"
    )

    page = fetch(httpserver.url_for("/t"), allow_private=True)

    assert page.charset == charset
    assert page.text == html.decode(charset.split()[0])


@pytest.mark.parametrize("status", [404, 500, 304])
def test_a_status_other_than_2xx_is_refused(httpserver, status):
    httpserver.expect_request("/gone").respond_with_data(
        "gone", status=status, content_type="text/plain"
    )

    refused = refusal(httpserver.url_for("/gone"), allow_private=True)

    assert refused.reason == "status"
    assert f"answered {status}" in str(refused)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/file.html",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "data:text/html,<p>hi</p>",
        "gopher://example.org/",
    ],
)
def test_schemes_other_than_http_are_refused(url):
    assert refusal(url, allow_private=True).reason == "scheme"


@pytest.mark.parametrize(
    "url",
    [
        "http://user:pass@127.0.0.1/",
        "https://token@127.0.0.1/",
        "http://",
        "https:///path-only",
        "not a url",
        "http://[::1",
    ],
)
def test_bad_urls_and_credentials_are_refused(url):
    assert refusal(url, allow_private=True).reason == "bad_url"


def test_a_redirect_to_another_scheme_is_refused(httpserver):
    httpserver.expect_request("/").respond_with_response(redirect("file:///etc/passwd"))

    refused = refusal(httpserver.url_for("/"), allow_private=True)

    assert refused.reason == "scheme"


@pytest.mark.parametrize(
    "url", ["http://[::1]:8080/", "http://[::ffff:127.0.0.1]/", "http://[::]/"]
)
def test_ipv6_literal_loopback_is_refused(settings, url):
    settings.CLAIMTRACK_FETCH_ALLOWED_HOSTS = []

    refused = refusal(url, allow_private=False)

    assert refused.reason == "private_address"


def test_a_closed_port_is_a_connection_refusal():
    refused = refusal("http://127.0.0.1:9/", allow_private=True)  # discard: closed

    assert refused.reason == "connection"


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("10.0.0.1", "private"),
        ("10.255.255.255", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.254", "private"),
        ("192.168.1.1", "private"),
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("169.254.169.254", "link-local"),  # cloud metadata
        ("100.64.0.1", "shared"),
        ("100.127.255.254", "shared"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:100.64.0.1", "shared"),
        ("8.8.8.8", None),
        ("172.32.0.1", None),
        ("100.128.0.1", None),
        ("2001:4860:4860::8888", None),
        ("::ffff:8.8.8.8", None),
    ],
)
def test_non_public_kind(address, kind):
    assert fetching.non_public_kind(ipaddress.ip_address(address)) == kind

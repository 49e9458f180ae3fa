"""Fetch one web page safely: plain Python, httpx and settings; nothing stored.

``fetch(url)`` answers a ``Fetched`` page or raises ``FetchRefused`` (a ``reason``
code and a message). Its settings and their defaults are config/settings.py's
``CLAIMTRACK_FETCH_*``: ALLOW_PRIVATE, MAX_REDIRECTS, MAX_BYTES (of decoded
body), TIMEOUT (for all hops and the body), CONTACT (the User-Agent's) and
ALLOWED_HOSTS (when set, the only host names fetched from, refused before any
DNS question: the tests').
"""

import codecs
import contextlib
import dataclasses
import datetime
import functools
import hashlib
import ipaddress
import re
import socket
import ssl
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from django.conf import settings

from .archive import CODINGS

# Placeholder until the project has a public home: set CLAIMTRACK_FETCH_CONTACT.
PROJECT_URL = "https://example.org/claimtrack"

MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# The response headers kept (Location is not: the hops are in ``redirects``).
KEPT_HEADERS = ("content-type", "content-language", "last-modified", "etag", "date")
# Only what httpx decodes without extras, so that ``body`` is always decoded.
REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8",
    "Accept-Encoding": "gzip, deflate",
}
# <meta charset="x"> and <meta http-equiv="Content-Type" content="...; charset=x">.
META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
META_SNIFF_BYTES = 4096

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
SHARED_ADDRESS_SPACE = ipaddress.IPv4Network("100.64.0.0/10")  # carrier-grade NAT
# Most specific first: 127.0.0.1 is also "private" to ``ipaddress``.
NON_PUBLIC_KINDS = (
    ("unspecified", "is_unspecified"),
    ("loopback", "is_loopback"),
    ("link-local", "is_link_local"),
    ("multicast", "is_multicast"),
    ("reserved", "is_reserved"),
    ("private", "is_private"),
)


@functools.cache
def user_agent() -> str:
    """Honest: who fetches, and how to reach whoever runs it. Read when first
    needed: the project is not installed (uv package = false), so its version
    is pyproject's, and no file is read on import."""
    with (Path(settings.BASE_DIR) / "pyproject.toml").open("rb") as file:
        version = tomllib.load(file)["project"]["version"]
    return f"claimtrack/{version} (+{settings.CLAIMTRACK_FETCH_CONTACT or PROJECT_URL})"


class FetchRefused(ValueError):
    """A page not fetched; ``reason`` is a short code ("scheme", "private_address",
    "too_many_redirects", "too_large", "timeout", "media_type", "status",
    "connection", "bad_url", "host") and the message says why in words."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"refused: {detail}")
        self.reason = reason


@dataclass(frozen=True)
class Fetched:
    url: str  # as requested
    final_url: str  # after redirects
    status: int
    headers: dict[str, str]  # KEPT_HEADERS that the server sent, lower-case names
    # De-chunked and decoded from its Content-Encoding (gzip, deflate) by httpx:
    # the document the server meant, not the bytes on the wire.
    body: bytes
    text: str  # ``body`` decoded with ``charset``, bad bytes replaced (U+FFFD)
    charset: str  # Python's name and where it came from: "iso8859-1 (header)"
    media_type: str
    fetched_at: datetime.datetime  # aware, UTC: when the final response began
    sha256: str  # of ``body``
    address: str  # the IP address connected to for the last hop
    redirects: list[str]  # the URLs that answered with a redirect, in order


def non_public_kind(address: IPAddress) -> str | None:
    """Which kind of non-public address this is ("private", "loopback"...), or
    None for a public one. An IPv4-mapped IPv6 address is judged as its IPv4."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if isinstance(address, ipaddress.IPv4Address) and address in SHARED_ADDRESS_SPACE:
        return "shared"
    for kind, attribute in NON_PUBLIC_KINDS:
        if getattr(address, attribute):
            return kind
    return None


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to, in the resolver's order; an IP literal
    is its own answer. (getaddrinfo has no timeout of its own: the system
    resolver's applies.)"""
    with contextlib.suppress(ValueError):
        return [ipaddress.ip_address(host)]
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise FetchRefused("connection", f"{host}: no address ({error})") from error
    addresses: list[IPAddress] = []
    for *_, sockaddr in answers:
        address = ipaddress.ip_address(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def fetch(
    url: str,
    *,
    allow_private: bool | None = None,
    media_types: frozenset[str] = MEDIA_TYPES,
) -> Fetched:
    """Fetch one page, following redirects, or raise ``FetchRefused``.

    ``media_types``: the types accepted (a page's, by default; the ClaimReview
    import also takes JSON).

    Each hop's name is resolved here and refused if any of its addresses is not
    public; httpx then connects to the checked IP itself (the URL's host replaced
    by it, the Host header and the TLS name, SNI and certificate check, kept on the
    name through httpx's public ``sni_hostname`` request extension), so a second,
    different DNS answer is never used, and the address read back from the
    connection is checked once more. No proxy or .netrc from the environment.
    """
    if allow_private is None:
        allow_private = settings.CLAIMTRACK_FETCH_ALLOW_PRIVATE
    max_redirects = settings.CLAIMTRACK_FETCH_MAX_REDIRECTS
    timeout = float(settings.CLAIMTRACK_FETCH_TIMEOUT)
    deadline = time.monotonic() + timeout
    current = _checked_url(url)
    redirects: list[str] = []
    with _httpx_errors(timeout):
        while True:
            with _connected(current, allow_private, deadline) as (response, address):
                target = _redirect_target(response, current)
                if target is None:
                    return _page(
                        url,
                        current,
                        response,
                        str(address),
                        redirects,
                        deadline,
                        media_types,
                    )
            if len(redirects) == max_redirects:
                raise FetchRefused(
                    "too_many_redirects",
                    f"more than {max_redirects} redirects "
                    "(CLAIMTRACK_FETCH_MAX_REDIRECTS)",
                )
            redirects.append(str(current))
            current = _checked_url(target)


def _checked_url(url: str | httpx.URL) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as error:
        raise FetchRefused("bad_url", f"{url!r} is not a URL ({error})") from error
    if parsed.scheme and parsed.scheme not in ("http", "https"):
        raise FetchRefused("scheme", f"{parsed.scheme}: URLs are not fetched")
    if not parsed.scheme or not parsed.host:
        raise FetchRefused("bad_url", f"{url!r} is not an http(s) URL with a host")
    if parsed.userinfo:
        raise FetchRefused("bad_url", "URLs with credentials are not fetched")
    return parsed.copy_with(fragment=None)


def _check_address(host: str, address: IPAddress, allow_private: bool) -> None:
    kind = non_public_kind(address)
    if kind is None or allow_private:
        return
    named = str(address) if host == str(address) else f"{host} ({address})"
    article = "an" if kind[0] in "aeiou" else "a"
    raise FetchRefused(
        "private_address",
        f"{named} is {article} {kind} address "
        "(set CLAIMTRACK_FETCH_ALLOW_PRIVATE=1 to allow)",
    )


@dataclass(frozen=True)
class Posted:
    """The answer to ``post``: its status, its first bytes, and where from."""

    status: int
    head: bytes
    address: str


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float,
    keep: int = 1024,
    allow_private: bool | None = None,
) -> Posted:
    """POST ``body`` to ``url`` under ``fetch``'s address rules, following no
    redirect (a 3xx is the answer), reading at most ``keep`` bytes of the
    answer; or raise ``FetchRefused``. For webhook deliveries."""
    if allow_private is None:
        allow_private = settings.CLAIMTRACK_FETCH_ALLOW_PRIVATE
    deadline = time.monotonic() + timeout
    target = _checked_url(url)
    with (
        _httpx_errors(timeout, "the receiver", "CLAIMTRACK_WEBHOOK_TIMEOUT"),
        _connected(target, allow_private, deadline, "POST", body, headers) as (
            response,
            address,
        ),
    ):
        head = b""
        for chunk in response.iter_raw():
            head += chunk
            if len(head) >= keep or time.monotonic() > deadline:
                break
        return Posted(response.status_code, head[:keep], str(address))


@contextlib.contextmanager
def _connected(
    url: httpx.URL,
    allow_private: bool,
    deadline: float,
    method: str = "GET",
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Iterator[tuple[httpx.Response, IPAddress]]:
    """The streamed response of one hop, and the address it came from."""
    host = url.raw_host.decode("ascii")  # IDNA-encoded; an IPv6 one unbracketed
    allowed = settings.CLAIMTRACK_FETCH_ALLOWED_HOSTS
    if allowed and host not in {name.strip("[]").lower() for name in allowed}:
        raise FetchRefused(
            "host", f"{host} is not among CLAIMTRACK_FETCH_ALLOWED_HOSTS"
        )
    port = url.port or (443 if url.scheme == "https" else 80)
    addresses = resolve(host, port)
    for address in addresses:
        _check_address(host, address, allow_private)
    # A client per hop: a pooled connection is never reused under another name.
    tls = _tls_context()
    with httpx.Client(verify=tls, trust_env=False, follow_redirects=False) as client:
        response, address = _send(
            client, url, addresses, deadline, method, content, headers
        )
        try:
            _check_peer(host, response, address, allow_private)
            yield response, address
        finally:
            response.close()


def _send(
    client: httpx.Client,
    url: httpx.URL,
    addresses: list[IPAddress],
    deadline: float,
    method: str = "GET",
    content: bytes | None = None,
    extra: dict[str, str] | None = None,
) -> tuple[httpx.Response, IPAddress]:
    name = url.raw_host.decode("ascii")
    headers = {
        **(REQUEST_HEADERS if extra is None else extra),
        "User-Agent": user_agent(),
    }
    headers["Host"] = url.netloc.decode("ascii")
    failure: httpx.ConnectError | None = None
    for address in addresses:  # the next checked address if one cannot be reached
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise httpx.TimeoutException("deadline passed between hops")
        request = httpx.Request(
            method,
            url.copy_with(host=str(address)),
            headers=headers,
            content=content,
            extensions={
                "timeout": httpx.Timeout(remaining).as_dict(),
                "sni_hostname": name,
            },
        )
        try:
            return client.send(request, stream=True), address
        except httpx.ConnectError as error:
            failure = error
    raise FetchRefused("connection", f"could not connect to {url.host} ({failure})")


def _check_peer(
    host: str, response: httpx.Response, expected: IPAddress, allow_private: bool
) -> None:
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if not peer:
        raise FetchRefused("connection", f"no peer address for {host}")
    address = ipaddress.ip_address(peer[0])
    if address != expected:
        raise FetchRefused(
            "connection", f"connected to {address}, not the checked {expected}"
        )
    _check_address(host, address, allow_private)


def _redirect_target(response: httpx.Response, current: httpx.URL) -> httpx.URL | None:
    location = response.headers.get("location")
    if response.status_code not in REDIRECT_STATUSES or not location:
        return None
    try:
        return current.join(location)
    except httpx.InvalidURL as error:
        raise FetchRefused("bad_url", f"redirect to {location!r} ({error})") from error


def _page(
    url: str,
    final: httpx.URL,
    response: httpx.Response,
    address: str,
    redirects: list[str],
    deadline: float,
    media_types: frozenset[str] = MEDIA_TYPES,
) -> Fetched:
    fetched_at = datetime.datetime.now(datetime.UTC)
    if not response.is_success:
        raise FetchRefused(
            "status",
            f"{final} answered {response.status_code} {response.reason_phrase}",
        )
    content_type = response.headers.get("content-type", "")
    media_type = content_type.partition(";")[0].strip().lower()
    if media_type not in media_types:
        accepted = (
            "HTML, XHTML and plain text"
            if media_types == MEDIA_TYPES
            else ", ".join(sorted(media_types))
        )
        raise FetchRefused(
            "media_type",
            f"{media_type or 'a page without a Content-Type'} is not supported yet: "
            f"only {accepted}",
        )
    body = _read_body(response, deadline)
    encoding, source = _charset(response, media_type, body)
    kept = {n: response.headers[n] for n in KEPT_HEADERS if n in response.headers}
    return Fetched(
        url=url,
        final_url=str(final),
        status=response.status_code,
        headers=kept,
        body=body,
        text=body.decode(encoding, errors="replace"),
        charset=f"{encoding} ({source})",
        media_type=media_type,
        fetched_at=fetched_at,
        sha256=hashlib.sha256(body).hexdigest(),
        address=address,
        redirects=redirects,
    )


def archived(
    url: str,
    status: int,
    headers: list[tuple[str, str]],
    body: bytes,
    fetched_at: datetime.datetime,
    address: str | None,
) -> Fetched:
    """A response read from an archive (a WARC file), held to the rules a
    fetch's is: a 2xx, a supported media type, at most the size; its charset
    read as for a fetch. Refused with FetchRefused, like a fetch."""
    # The archive's reader has undone the codings: the headers must not claim them.
    plain = [(k, v) for k, v in headers if k.lower() not in CODINGS]
    response = httpx.Response(status, headers=plain, content=body)
    final = _checked_url(url)
    page = _page(url, final, response, address or "", [], _FAR)
    return dataclasses.replace(page, fetched_at=fetched_at)


_FAR = float("inf")  # an archived body is read already: no deadline


def _read_body(response: httpx.Response, deadline: float) -> bytes:
    cap = settings.CLAIMTRACK_FETCH_MAX_BYTES
    too_large = FetchRefused(
        "too_large", f"the page is over {cap:,} bytes (CLAIMTRACK_FETCH_MAX_BYTES)"
    )
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    # Decoded chunks are counted, so a small gzip bomb stops at the cap too.
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > cap:
            raise too_large
        if time.monotonic() > deadline:
            raise httpx.TimeoutException("deadline passed while reading the body")
        chunks.append(chunk)
    return b"".join(chunks)


def _charset(response: httpx.Response, media_type: str, body: bytes) -> tuple[str, str]:
    """The header's charset, else an HTML <meta> one, else a guess: UTF-8, then
    cp1252, then Latin-1, which decodes anything. (charset_normalizer is not a
    dependency of httpx 0.28, only of other packages here, so it is not used.)"""
    if encoding := _codec(response.charset_encoding):
        return encoding, "header"
    if media_type != "text/plain":
        found = META_CHARSET.search(body[:META_SNIFF_BYTES])
        if found and (encoding := _codec(found.group(1).decode("ascii"))):
            # A <meta> read as ASCII cannot be UTF-16/32; HTML reads it as UTF-8.
            return (
                "utf-8" if encoding.startswith(("utf-16", "utf-32")) else encoding
            ), "meta"
    for encoding in ("utf-8", "cp1252"):
        with contextlib.suppress(UnicodeDecodeError):
            body.decode(encoding)
            return encoding, "detected"
    return "iso8859-1", "detected"


def _codec(label: str | None) -> str | None:
    """Python's name for a text encoding label, or None (unknown, or not text:
    "zlib" and "rot13" are codecs too)."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip()).name
        b"a".decode(name, "ignore")  # b"" would pass for any codec
    except LookupError:
        return None
    return name


@contextlib.contextmanager
def _httpx_errors(
    timeout: float, what: str = "the page", setting: str = "CLAIMTRACK_FETCH_TIMEOUT"
) -> Iterator[None]:
    try:
        yield
    except httpx.TimeoutException as error:
        raise FetchRefused(
            "timeout", f"{what} took longer than {timeout:g} s ({setting})"
        ) from error
    except httpx.HTTPError as error:
        raise FetchRefused("connection", f"{type(error).__name__}: {error}") from error


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # httpx's default (certifi's roots), loaded once: ~60 ms each time otherwise.
    return httpx.create_ssl_context()

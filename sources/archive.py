"""A fetched page as a WARC/1.1 file: the request claimtrack sent and the
response it got, the body byte for byte (warcio writes and reads them)."""

import io
from collections.abc import Iterable, Iterator
from http import HTTPStatus

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

# The body is kept decoded from any transfer or content coding (httpx and
# warcio undo them), so neither a record nor a response read back may claim one.
CODINGS = frozenset({"content-encoding", "transfer-encoding", "content-length"})


def warc_of(
    *,
    url: str,
    status: int,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    fetched_at: str,
    address: str,
    user_agent: str,
) -> bytes:
    """The request and response records of one fetch, uncompressed (the
    database compresses large values itself)."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False, warc_version="WARC/1.1")
    common = {"WARC-Date": fetched_at}
    if address:
        common["WARC-IP-Address"] = address
    request = writer.create_warc_record(
        url,
        "request",
        payload=io.BytesIO(b""),
        http_headers=StatusAndHeaders(
            f"GET {_target(url)} HTTP/1.1",
            [("User-Agent", user_agent), ("Host", _host(url))],
            is_http_request=True,
        ),
        warc_headers_dict=dict(common),
    )
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:  # a status the standard does not name (e.g. 299)
        reason = ""
    response = writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        http_headers=StatusAndHeaders(
            f"{status} {reason}".strip(),
            [(k, v) for k, v in headers if k.lower() not in CODINGS],
            protocol="HTTP/1.1",
        ),
        warc_headers_dict=dict(common),
    )
    writer.write_request_response_pair(request, response)
    return out.getvalue()


def responses(stream) -> Iterator[tuple[str, int, list, bytes, str, str]]:
    """Each HTTP response a WARC file (plain or gzip'd) holds: its URI, status,
    headers, body (codings undone), WARC-Date and WARC-IP-Address ("" if
    none)."""
    for record in ArchiveIterator(stream):
        if record.rec_type != "response" or record.http_headers is None:
            continue
        headers = record.rec_headers
        status = int(record.http_headers.get_statuscode() or 0)
        yield (
            headers.get_header("WARC-Target-URI") or "",
            status,
            list(record.http_headers.headers),
            record.content_stream().read(),
            headers.get_header("WARC-Date") or "",
            headers.get_header("WARC-IP-Address") or "",
        )


def response_body(warc: bytes) -> bytes:
    """The body a snapshot's WARC holds, as the server sent it."""
    for record in ArchiveIterator(io.BytesIO(warc)):
        if record.rec_type == "response":
            return record.content_stream().read()
    raise ValueError("the WARC holds no response record")


def _host(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0]


def _target(url: str) -> str:
    rest = url.split("://", 1)[-1]
    return "/" + rest.split("/", 1)[1] if "/" in rest else "/"

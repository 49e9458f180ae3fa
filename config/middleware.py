"""Site-wide request guards that run before any view reads a request."""

from django.conf import settings
from django.http import HttpResponse

from claims.api.errors import error_response


class RequestBodyLimitMiddleware:
    """Refuse a body longer than DATA_UPLOAD_MAX_MEMORY_SIZE with 413, unread.

    Django checks that limit only when a form body is read (``request.POST``,
    ``request.body``) and answers 400; DRF's parsers read the body as a stream
    and do not check it at all. Here the declared length is checked before
    anything reads a byte, for every view alike. A body without a
    Content-Length is never read by Django (it reads that many bytes), so the
    declared length is the whole story. API clients get JSON like every other
    API error; everyone else a short plain-text page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw = request.headers.get("content-length") or "0"
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if not raw.isascii() or not raw.strip().isdigit():
            return self.refuse(
                request,
                400,
                "invalid",
                "The Content-Length header must be a whole number.",
            )
        length = int(raw)
        if limit is not None and length > limit:
            return self.refuse(
                request,
                413,
                "request_too_large",
                f"The request body is {length:,} bytes; the limit is {limit:,} bytes.",
            )
        return self.get_response(request)

    def refuse(self, request, status, code, message):
        if request.path.startswith("/api/"):
            return error_response(status, code, message)
        return HttpResponse(
            message, status=status, content_type="text/plain; charset=utf-8"
        )

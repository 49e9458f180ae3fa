import re

from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header

from .. import login_throttle

PREFIXES = (b"token", b"bearer")
TOKEN_PATTERN = re.compile(rb"[0-9a-fA-F]{16,128}")


class TokenAuthentication(KnoxTokenAuthentication):
    """Knox's hashed, expiring tokens, sent as ``Authorization: Token …`` or
    ``Authorization: Bearer …``.

    Wrong tokens are counted per client address: past
    CLAIMTRACK_TOKEN_FAILURES of them, every token from that address is
    answered 429 until the window has passed (claims/login_throttle.py). Only
    well-formed tokens count (a guess must be one); a malformed header is
    refused before any lookup.
    """

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in PREFIXES:
            return None
        counters = login_throttle.token_counters(login_throttle.client_address(request))
        if login_throttle.refused(counters):
            raise exceptions.Throttled(
                wait=login_throttle.retry_after(),
                detail="Too many wrong tokens from your address; wait, then retry.",
            )
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Invalid token header: give the prefix and the token, nothing else."
            )
        token = parts[1]
        if not TOKEN_PATTERN.fullmatch(token):
            # Knox would choke on bytes that are not its hex tokens.
            raise exceptions.AuthenticationFailed("Invalid token.")
        try:
            return self.authenticate_credentials(token)
        except exceptions.AuthenticationFailed:
            login_throttle.record_failure(counters)
            raise

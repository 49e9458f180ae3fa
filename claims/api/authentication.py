import re

from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header

PREFIXES = (b"token", b"bearer")
TOKEN_PATTERN = re.compile(rb"[0-9a-fA-F]{16,128}")


class TokenAuthentication(KnoxTokenAuthentication):
    """Knox's hashed, expiring tokens, sent as ``Authorization: Token …`` or
    ``Authorization: Bearer …``."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in PREFIXES:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Invalid token header: give the prefix and the token, nothing else."
            )
        token = parts[1]
        if not TOKEN_PATTERN.fullmatch(token):
            # Knox would choke on bytes that are not its hex tokens.
            raise exceptions.AuthenticationFailed("Invalid token.")
        return self.authenticate_credentials(token)

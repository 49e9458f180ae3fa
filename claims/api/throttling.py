from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class AnonymousThrottle(AnonRateThrottle):
    """Anonymous clients, counted per IP address (rate: CLAIMTRACK_THROTTLE_ANON)."""


class AuthenticatedThrottle(UserRateThrottle):
    """Signed-in clients, counted per user (rate: CLAIMTRACK_THROTTLE_USER).

    Unlike DRF's UserRateThrottle it leaves anonymous clients to
    AnonymousThrottle, so each request costs one throttle lookup, not two.
    """

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)

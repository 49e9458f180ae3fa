"""The URL conf as a list of routes, for the tests that crawl it."""

from django.urls import URLResolver, get_resolver


def walk(patterns=None, prefix="", namespace=""):
    """(route, name, view) for every URL pattern, nested ones included; the
    route is the patterns' text joined (``api/v1/^claims/(?P<pk>…)/$``)."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield prefix + str(pattern.pattern), name, pattern.callback

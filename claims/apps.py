from django.apps import AppConfig
from django.db.models.signals import post_migrate


def create_cache_table(using="default", verbosity=1, **kwargs):
    """After ``migrate``, the database cache's table (the throttle counts and the
    tracker's cached counts live there when no Redis is configured): a plain
    ``migrate`` then leaves a working site, not one that fails on its first
    cached read. ``createcachetable`` does nothing for other caches, or when
    the table exists."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=max(verbosity - 1, 0))


class ClaimsConfig(AppConfig):
    name = "claims"

    def ready(self):
        from sources.signals import revision_found

        from .services.reanchoring import on_revision_found

        post_migrate.connect(create_cache_table, sender=self)
        # A refetched page's new text: its claims' spans follow their words.
        revision_found.connect(on_revision_found, dispatch_uid="claims-reanchor")

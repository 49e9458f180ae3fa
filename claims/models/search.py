from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models


class ClaimSearch(models.Model):
    """PostgreSQL only: a claim's stored, GIN-indexed full-text document.

    Claim text and speaker names weigh most, the quoted source words next.
    Kept current by the services (claims/search.py) on every change; SQLite has
    no such table and searches by plain text matching instead.
    """

    claim = models.OneToOneField(
        "claims.Claim",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_document",
    )
    document = SearchVectorField()

    class Meta:
        required_db_vendor = "postgresql"
        # Without fastupdate: each new document goes into the index at once,
        # where with it every search also read the pending ones (repeat
        # detection's text lookup twice as slow while proposing;
        # docs/REPEATS.md, "Cost").
        indexes = [
            GinIndex(
                fields=["document"], name="claimsearch_document_gin", fastupdate=False
            )
        ]

    def __str__(self):
        return f"search document of claim {self.claim_id}"

"""generate_corpus: a synthetic corpus whose every guarantee holds (PostgreSQL)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from claims.integrity import audit_provenance
from claims.models import Claim, Span
from sources.models import Source


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_small_corpus_has_the_sources_asked_for_and_verifies(capsys):
    call_command("generate_corpus", "--claims", "300", "--sources", "30", "--seed", "7")
    assert Claim.objects.count() == 300
    sources = Source.objects.count()
    assert 20 <= sources <= 45  # about 10 claims a source
    assert Span.objects.count() >= 300
    assert set(Claim.objects.values_list("review", flat=True)) == {
        "accepted",
        "proposed",
    }
    assert len(set(Claim.objects.values_list("status", flat=True))) >= 4
    assert list(audit_provenance()) == []
    out = capsys.readouterr()
    assert "Generated 300 claims" in out.out
    assert "300/300 claims" in out.err  # the progress bar
    call_command("generate_corpus", "--claims", "300")
    assert "Nothing to do" in capsys.readouterr().out


@pytest.mark.django_db
def test_bad_arguments_are_refused():
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match="needs PostgreSQL"):
            call_command("generate_corpus", "--claims", "10")
        return
    with pytest.raises(CommandError, match="--sources must be between"):
        call_command("generate_corpus", "--claims", "10", "--sources", "11")

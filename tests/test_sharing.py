"""Sharing (issue 25): the claim, speaker and source pages carry a canonical
URL, Open Graph and Twitter card tags, a "cite this" in plain text and
BibTeX-like, and the link to copy."""

import html
import re

import pytest
from django.utils import timezone

from claims.models import DatePrecision

from .test_public_pages import accept

pytestmark = pytest.mark.django_db


def meta(page: str, name: str) -> str:
    found = re.search(
        rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)"', page
    )
    assert found, name
    return html.unescape(found.group(1))


def test_a_claim_page_can_be_shared_and_cited(client, propose, other_reviewer, speaker):
    claim = accept(
        propose(text='The "harbour" bridge will reopen by June 2025 {soon} <b>.'),
        other_reviewer,
    )
    page = client.get(f"/claims/{claim.pk}/").content.decode()
    url = f"http://testserver/claims/{claim.pk}/"
    assert f'<link rel="canonical" href="{url}">' in page
    assert meta(page, "og:title") == claim.text
    assert meta(page, "og:type") == "article"
    assert meta(page, "og:url") == url
    assert meta(page, "twitter:card") == "summary"
    assert meta(page, "og:description") == "Pending. Said by: Zoë Okafor."
    assert "<b>." not in page  # escaped, as everywhere
    accessed = DatePrecision.DAY.format(timezone.localdate())
    cite = html.unescape(re.findall(r'<pre class="cite">(.*?)</pre>', page, re.S)[0])
    assert cite == (
        f"Zoë Okafor. “{claim.text}” claimtrack, claim {claim.pk}, version "
        f"{claim.version}, pending. {url} (accessed {accessed})."
    )
    bibtex = html.unescape(re.findall(r'<pre class="cite">(.*?)</pre>', page, re.S)[1])
    assert bibtex.startswith(f"@misc{{claimtrack:claim-{claim.pk}-v{claim.version},")
    assert (
        'title = {The "harbour" bridge will reopen by June 2025 (soon) <b>.}' in bibtex
    )
    assert "  year = {2025}," in bibtex
    assert bibtex.endswith(f"  note = {{Accessed {accessed}}}\n}}")
    assert f'<input id="share-url" type="url" value="{url}" readonly>' in page
    assert 'data-copy="share-url" hidden' in page  # shown by share.js


def test_speaker_and_source_pages_can_be_shared(
    client, propose, other_reviewer, speaker, source
):
    accept(propose(), other_reviewer)
    speaker_page = client.get(f"/speakers/{speaker.pk}/").content.decode()
    assert meta(speaker_page, "og:type") == "profile"
    assert meta(speaker_page, "og:title") == speaker.name
    assert f"claimtrack:speaker-{speaker.pk}" in speaker_page
    source_page = client.get(f"/sources/{source.pk}/").content.decode()
    assert meta(source_page, "og:title") == source.title
    assert f"SHA-256 {source.content_hash}" in source_page

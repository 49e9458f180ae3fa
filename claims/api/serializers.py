"""API representations: what a client reads. Request bodies are in
``inputs.py``."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sources.models import SourceKind

from ..matching import THRESHOLD
from ..models import (
    Claim,
    ClaimKind,
    DatePrecision,
    RejectionReason,
    RelationKind,
    Review,
    SpanRole,
    SpeakerKind,
    Stance,
    Status,
)
from ..models.claim import STATE_FIELDS
from ..models.event import EventKind


def _date(value):
    return value.isoformat() if value else None


class SpeakerRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    wikidata_id = serializers.CharField(
        read_only=True, allow_null=True, help_text="Wikidata item id (Q…), if known."
    )


class ExtractionSerializer(serializers.Serializer):
    """How the extractor came to propose a claim (docs/EXTRACTION.md)."""

    rule = serializers.CharField(read_only=True, help_text="The rule that fired.")
    confidence = serializers.FloatField(read_only=True, help_text="0 to 1.")
    checkworthiness = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text="0 to 1; null for claims proposed before it was scored.",
    )
    extractor_version = serializers.CharField(
        read_only=True, help_text='The rules\' version, such as "rules-3".'
    )


class ContributionStateSerializer(serializers.Serializer):
    """The review and withdrawal of a span or evidence item. Anonymous readers
    only ever see accepted items that were not withdrawn."""

    review = serializers.ChoiceField(
        choices=Review.choices,
        help_text="proposed: waits for a reviewer and is shown only to reviewers "
        "and its author.",
    )
    withdrawn_at = serializers.DateTimeField(
        allow_null=True, help_text="When a reviewer withdrew it; null if not."
    )
    withdrawn_reason = serializers.CharField(help_text="Why it was withdrawn.")


class SpanSerializer(ContributionStateSerializer):
    id = serializers.IntegerField()
    source = serializers.IntegerField(  # type: ignore[assignment]  # the API name; not Field.source
        source="source_id", help_text="Id of the source the words are in."
    )
    role = serializers.ChoiceField(choices=SpanRole.choices)
    start = serializers.IntegerField(
        help_text="First code point (included) in the normalized text. JavaScript "
        "strings count UTF-16 units: convert before slicing."
    )
    end = serializers.IntegerField(help_text="Code point after the words (excluded).")
    exact = serializers.CharField(help_text="The words between start and end.")
    prefix = serializers.CharField(help_text="Up to 32 characters before the words.")
    suffix = serializers.CharField(help_text="Up to 32 characters after the words.")
    stated_on = serializers.DateField(
        allow_null=True,
        help_text="An appearance's own date (when the claim was said in this "
        "source); null: the claim's stated_on.",
    )
    stated_on_precision = serializers.ChoiceField(
        choices=DatePrecision.choices, allow_blank=True
    )
    speaker = serializers.IntegerField(
        source="speaker_id",
        allow_null=True,
        help_text="Id of who said it in this source; null: the claim's speaker.",
    )
    speaker_title = serializers.CharField(
        help_text="The speaker's title as this source gives it."
    )


class EvidenceSerializer(ContributionStateSerializer):
    id = serializers.IntegerField()
    source = serializers.IntegerField(  # type: ignore[assignment]  # the API name; not Field.source
        source="source_id", help_text="Id of the evidence source."
    )
    stance = serializers.ChoiceField(choices=Stance.choices)
    start = serializers.IntegerField(
        allow_null=True, help_text="Null: the whole source."
    )
    end = serializers.IntegerField(allow_null=True)
    exact = serializers.CharField(
        help_text="The cited words; empty for a whole source."
    )
    prefix = serializers.CharField()
    suffix = serializers.CharField()
    note = serializers.CharField()
    status_change = serializers.IntegerField(
        source="status_change_id",
        allow_null=True,
        help_text="The ledger entry it was given for, if any.",
    )
    relation = serializers.IntegerField(
        source="relation_id",
        allow_null=True,
        help_text="The relation between claims whose words it cites, if any.",
    )
    created_at = serializers.DateTimeField()


class RelationSerializer(serializers.Serializer):
    """A relation between two claims, shown on both: "claim kind other"."""

    id = serializers.IntegerField()
    claim = serializers.IntegerField(
        source="claim_id", help_text="The claim the relation is from."
    )
    kind = serializers.ChoiceField(choices=RelationKind.choices)
    other = serializers.IntegerField(
        source="other_id", help_text="The claim it relates to."
    )
    rationale = serializers.CharField()
    spans = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Ids of the spans (of either claim) that show it.",
    )
    created_at = serializers.DateTimeField()


class ClaimSerializer(serializers.ModelSerializer):
    """A claim as the API shows it (DESIGN.md's contract, plus a few fields):
    the one declaration of that output. Its fields are the claim's
    ``STATE_FIELDS`` and a few more; claims/api/payloads.py builds the
    payloads from these fields, in SQL on PostgreSQL and in Python elsewhere."""

    speaker = SpeakerRefSerializer(
        allow_null=True, help_text="Null for a narrator claim."
    )
    rejection_reason = serializers.ChoiceField(
        choices=RejectionReason.choices,
        allow_blank=True,
        help_text="Why a rejected claim was rejected; empty otherwise.",
    )
    spans = SpanSerializer(many=True)
    evidence = EvidenceSerializer(many=True)
    related = RelationSerializer(
        many=True,
        help_text="Current relations to other claims you may see, either way.",
    )
    ledger_length = serializers.IntegerField(help_text="Entries in the status ledger.")
    extraction = ExtractionSerializer(
        allow_null=True,
        help_text="The extractor's rule, confidence and check-worthiness; null "
        "for a claim people proposed.",
    )

    class Meta:
        model = Claim
        fields = (
            "id",
            *STATE_FIELDS,
            "extraction",
            "spans",
            "evidence",
            "related",
            "ledger_length",
            "created_at",
            "updated_at",
        )


class ClaimSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    review = serializers.ChoiceField(choices=Review.choices)
    kind = serializers.ChoiceField(choices=ClaimKind.choices)

    def to_representation(self, claim):
        return {
            "id": claim.pk,
            "text": claim.text,
            "status": claim.status,
            "review": claim.review,
            "kind": claim.kind,
        }


class SimilarSerializer(serializers.Serializer):
    """A claim another may repeat: how alike, and why."""

    claim = ClaimSummarySerializer()
    score = serializers.FloatField(help_text="0 to 1.")
    reasons = serializers.ListField(
        child=serializers.CharField(), help_text='"same speaker", "same deadline"…'
    )
    candidate = serializers.BooleanField(
        help_text="At or over the threshold: offered to the desk as a possible repeat."
    )

    @staticmethod
    def represent(claim, match) -> dict:
        return {
            "claim": ClaimSummarySerializer(claim).data,
            "score": match.score,
            "reasons": list(match.reasons),
            "candidate": match.score >= THRESHOLD,
        }


class RevisionReviewSerializer(serializers.Serializer):
    review = serializers.ChoiceField(
        choices=Review.choices, help_text="The review state of the revises link."
    )
    proposed_by = serializers.CharField(
        allow_null=True,
        help_text="Username of who set the link; null for links older than review.",
    )
    reviewed_by = serializers.CharField(
        allow_null=True, help_text="Username of who accepted or rejected it."
    )
    reviewed_at = serializers.DateTimeField(
        allow_null=True, help_text="When it was accepted or rejected."
    )
    note = serializers.CharField(help_text="The reviewer's note (required to reject).")


def _username(user):
    return user.get_username() if user is not None else None


class SourceSerializer(serializers.Serializer):
    """A source. Its revises link shows to everyone once a reviewer has
    accepted it; before that (or once rejected) only to reviewers and to whoever
    proposed it, who also see the link's review (revision)."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField(
        help_text="Where the document was published; may be empty."
    )
    publisher = serializers.CharField(allow_null=True)
    kind = serializers.ChoiceField(choices=SourceKind.choices)
    language = serializers.CharField(help_text="BCP 47 tag; empty if unknown.")
    published_on = serializers.DateField(allow_null=True)
    retrieved_at = serializers.DateTimeField(allow_null=True)
    content_hash = serializers.CharField(
        allow_null=True, help_text="SHA-256 of the normalized text; null without text."
    )
    length = serializers.IntegerField(help_text="Length of the text in code points.")
    revises = serializers.IntegerField(
        allow_null=True,
        help_text="Id of the earlier version of this document: null when there is "
        "none, or when its link is not accepted and you did not propose it.",
    )
    revision = RevisionReviewSerializer(
        allow_null=True,
        help_text="The review of the revises link, for reviewers and whoever "
        "proposed it; null for everyone else and when there is no link.",
    )

    def to_representation(self, source):
        request = self.context.get("request")
        viewer = getattr(request, "user", None)
        shown = source.revision_visible_to(viewer)
        detailed = source.revision_review_visible_to(viewer)
        return {
            "id": source.pk,
            "title": source.title,
            "url": source.url,
            "publisher": source.publisher.name if source.publisher_id else None,
            "kind": source.kind,
            "language": source.language,
            "published_on": _date(source.published_on),
            "retrieved_at": source.retrieved_at.isoformat()
            if source.retrieved_at
            else None,
            "content_hash": source.content_hash,
            "length": source.text_length,
            "revises": source.revises_id if shown else None,
            "revision": {
                "review": source.revises_review,
                "proposed_by": _username(source.revises_proposed_by),
                "reviewed_by": _username(source.revises_reviewed_by),
                "reviewed_at": source.revises_reviewed_at.isoformat()
                if source.revises_reviewed_at
                else None,
                "note": source.revises_review_note,
            }
            if detailed
            else None,
        }


class SnapshotSerializer(serializers.Serializer):
    """A fetch of the source's page, as kept (docs/SOURCES.md)."""

    id = serializers.IntegerField(help_text="The snapshot's id.")
    url = serializers.CharField(help_text="The URL as asked for.")
    final_url = serializers.CharField(help_text="The URL that answered.")
    status = serializers.IntegerField(help_text="The HTTP status of the answer.")
    media_type = serializers.CharField(
        help_text="text/html, application/xhtml+xml or text/plain."
    )
    fetched_at = serializers.DateTimeField(help_text="When the answer began.")
    sha256 = serializers.CharField(help_text="SHA-256 of the body as sent.")
    size = serializers.IntegerField(help_text="The body's length in bytes.")
    metadata = serializers.DictField(
        help_text="What the page said about itself: title, author, "
        "published_on, site_name, language."
    )
    warc = serializers.CharField(help_text="Where to download the WARC file.")

    def to_representation(self, snapshot):
        request = self.context.get("request")
        path = reverse("public:snapshot", args=[snapshot.source_id, snapshot.pk])
        return {
            "id": snapshot.pk,
            "url": snapshot.url,
            "final_url": snapshot.final_url,
            "status": snapshot.status,
            "media_type": snapshot.media_type,
            "fetched_at": snapshot.fetched_at.isoformat(),
            "sha256": snapshot.sha256,
            "size": snapshot.size,
            "metadata": snapshot.metadata,
            "warc": request.build_absolute_uri(path) if request else path,
        }


class SourceDetailSerializer(SourceSerializer):
    text = serializers.CharField(help_text="The normalized, immutable text.")
    claims = ClaimSummarySerializer(
        many=True, help_text="The claims anchored here that you may see (newest 100)."
    )
    snapshots = SnapshotSerializer(
        many=True,
        help_text="The fetches of its page, newest first (empty for a text given "
        "by hand).",
    )

    def to_representation(self, source):
        data = super().to_representation(source)
        data["text"] = source.text
        data["claims"] = [
            ClaimSummarySerializer().to_representation(c) for c in source.visible_claims
        ]
        data["snapshots"] = [
            SnapshotSerializer(context=self.context).to_representation(snapshot)
            for snapshot in getattr(source, "fetched", ())
        ]
        return data


class SpeakerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=SpeakerKind.choices)
    aliases = serializers.ListField(child=serializers.CharField())
    description = serializers.CharField()
    wikidata_id = serializers.CharField(allow_null=True)
    merged_into = serializers.IntegerField(allow_null=True)

    def to_representation(self, speaker):
        return {
            "id": speaker.pk,
            "name": speaker.name,
            "kind": speaker.kind,
            "aliases": speaker.aliases,
            "description": speaker.description,
            "wikidata_id": speaker.wikidata_id or None,
            "merged_into": speaker.merged_into_id,
        }


class SpeakerDetailSerializer(SpeakerSerializer):
    claims = ClaimSummarySerializer(
        many=True,
        help_text="Their claims you may see (newest 100; filter "
        "/api/v1/claims/?speaker=<id> for all).",
    )

    def to_representation(self, speaker):
        data = super().to_representation(speaker)
        data["claims"] = [
            ClaimSummarySerializer().to_representation(c)
            for c in speaker.visible_claims
        ]
        return data


class LedgerEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    from_status = serializers.CharField(help_text="Empty for the first entry.")
    to_status = serializers.ChoiceField(choices=Status.choices)
    rationale = serializers.CharField()
    changed_by = serializers.CharField()
    changed_at = serializers.DateTimeField()
    claim_version = serializers.IntegerField()
    evidence = EvidenceSerializer(many=True)


class EditSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    type = serializers.CharField(help_text="+ created, ~ changed.")
    at = serializers.DateTimeField()
    by = serializers.CharField(allow_null=True)
    reason = serializers.CharField(allow_null=True)
    changes = serializers.DictField(help_text="Field: [old, new], for changed fields.")


class HistorySerializer(serializers.Serializer):
    ledger = LedgerEntrySerializer(many=True)
    edits = EditSerializer(many=True)


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    claim = serializers.IntegerField()
    type = serializers.ChoiceField(choices=EventKind.choices)
    version = serializers.IntegerField(
        help_text="The claim's version after the change."
    )
    state = serializers.DictField(help_text="The claim's fields after the change.")
    detail = serializers.CharField()
    by = serializers.CharField()
    at = serializers.DateTimeField()

    @staticmethod
    def represent(row: dict) -> dict:
        """An event from its row (``claims.changes.FEED_COLUMNS``), without a
        serializer instance per event; the fields above describe it in the
        schema."""
        return {
            "id": row["id"],
            "claim": row["claim_id"],
            "type": row["kind"],
            "version": row["version"],
            "state": row["state"],
            "detail": row["detail"],
            "by": row["actor__username"],
            "at": row["created_at"].isoformat(),
        }


class ProposalRunSerializer(serializers.Serializer):
    created = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Ids of the claims proposed (readable by reviewers).",
    )
    skipped = serializers.IntegerField(help_text="Proposals not recorded.")


class SourceCreatedSerializer(SourceDetailSerializer):
    proposals = ProposalRunSerializer(
        allow_null=True,
        help_text="What the extractor proposed, when propose_claims was true.",
    )


@extend_schema_field({"type": "object", "additionalProperties": True})
class JSONLDField(serializers.DictField):
    pass


class ClaimReviewSerializer(serializers.Serializer):
    document = JSONLDField()

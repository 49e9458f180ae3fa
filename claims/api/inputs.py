"""Request bodies: they check types and shapes only, then hand over to the
services, which hold the rules."""

import unicodedata

from django.conf import settings
from django.http import QueryDict
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sources.models import SourceKind
from sources.text import MAX_TEXT_CHARS

from ..models import (
    Claim,
    DatePrecision,
    RejectionReason,
    RelationKind,
    SpanRole,
    SpeakerKind,
    Stance,
    Status,
)
from ..models.claim import EDITABLE_FIELDS


def nfc(value):
    """``value`` with every string in it (nested in lists and objects) in
    Unicode NFC, the form source texts are stored in: "é" typed as "e" and a
    combining accent (NFD, as macOS file names and some keyboards give it) is
    the same "é" as everywhere else in claimtrack."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, QueryDict):
        normalized = QueryDict(mutable=True)
        for key, values in value.lists():
            normalized.setlist(key, [nfc(item) for item in values])
        return normalized
    if isinstance(value, dict):
        return {key: nfc(item) for key, item in value.items()}
    if isinstance(value, list):
        return [nfc(item) for item in value]
    return value


class StrictSerializer(serializers.Serializer):
    """Every request body the API reads: refuses fields it does not know, so a
    typo is an error, not a no-op; and reads every text in NFC (:func:`nfc`)
    before any field checks it."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: "is not a field of this request." for name in unknown},
                    code="unknown_field",
                )
            if self.parent is None:  # nested bodies are normalized with it
                data = nfc(data)
        return super().to_internal_value(data)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "integer", "description": "An existing speaker's id."},
            {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "maxLength": 200},
                    "kind": {"type": "string", "enum": ["person", "organization"]},
                },
                "required": ["name"],
                "additionalProperties": False,
                "description": "Matched to the active speaker whose name or alias "
                "looks the same (case, spacing, invisible characters and "
                "confusable letters aside), or created.",
            },
        ],
        "nullable": True,
    }
)
class SpeakerField(serializers.Field):
    """A speaker as an id, or as {"name": …} (matched, or created if new)."""

    default_error_messages = {
        "invalid": 'Give a speaker id or {{"name": "…"}}.',
    }

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, int):
            return {"id": data}
        if (
            isinstance(data, dict)
            and set(data) <= {"name", "kind"}
            and isinstance(data.get("name"), str)
        ):
            name = serializers.CharField(max_length=200).run_validation(data["name"])
            kind = data.get("kind", SpeakerKind.PERSON)
            if kind not in SpeakerKind.values:
                raise serializers.ValidationError(
                    f"kind must be one of {SpeakerKind.values}."
                )
            return {"name": name, "kind": kind}
        self.fail("invalid")

    def to_representation(self, value):
        return value


def _quote_field(help_text: str):
    return serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        trim_whitespace=False,
        help_text=help_text,
    )


class AnchorInputSerializer(StrictSerializer):
    """Where words are in a source, as a span or evidence gives it: by place
    (start, end), by quote (exact, with prefix or suffix when the words occur
    more than once), or both, each checked against the other. Null, an empty
    string and absence all mean not given; texts are compared in NFC."""

    start = serializers.IntegerField(
        min_value=0,
        required=False,
        allow_null=True,
        help_text="First code point (included) in the normalized text; give "
        "end with it, or neither and quote the words.",
    )
    end = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="Code point after the words (excluded).",
    )
    exact = _quote_field(
        "The quoted words. With start and end: checked against the words there. "
        "Without them: looked up, and must occur once (or once with prefix and "
        "suffix), else a 400 giving the count."
    )
    prefix = _quote_field(
        "Words that come right before exact in the text, to tell repeats apart."
    )
    suffix = _quote_field(
        "Words that come right after exact in the text, to tell repeats apart."
    )


class SpanInputSerializer(AnchorInputSerializer):
    source = serializers.IntegerField(min_value=1)  # type: ignore[assignment]  # the API name; not Field.source
    role = serializers.ChoiceField(choices=SpanRole.choices, default=SpanRole.CONTENT)
    stated_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="An appearance (content span): when the claim was said in this "
        "source, if not on the claim's date. Give stated_on_precision with it.",
    )
    stated_on_precision = serializers.ChoiceField(
        choices=DatePrecision.choices, required=False, allow_blank=True
    )
    speaker = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="An appearance: the id of who said it in this source, if not "
        "the claim's speaker (a spokesperson, a reporter recalling it).",
    )
    speaker_title = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=300,
        help_text="An appearance: the speaker's title as this source gives it.",
    )


class ClaimInputSerializer(StrictSerializer, serializers.ModelSerializer):
    """A claim's editable facts as a client sends them: the claim's
    ``EDITABLE_FIELDS``, typed by the model."""

    text = serializers.CharField(max_length=2000)
    speaker = SpeakerField(required=False, allow_null=True)

    class Meta:
        model = Claim
        fields = EDITABLE_FIELDS


class ProposeClaimSerializer(ClaimInputSerializer):
    spans = SpanInputSerializer(  # type: ignore[call-arg]  # many=True takes max_length
        many=True,
        allow_empty=False,
        max_length=settings.CLAIMTRACK_MAX_SPANS_PER_CLAIM,
        help_text=f"At most {settings.CLAIMTRACK_MAX_SPANS_PER_CLAIM}.",
    )

    class Meta(ClaimInputSerializer.Meta):
        fields = (*EDITABLE_FIELDS, "spans")


class EditClaimSerializer(ClaimInputSerializer):
    reason = serializers.CharField(
        max_length=100, required=False, help_text="Why (kept in the edit history)."
    )

    class Meta(ClaimInputSerializer.Meta):
        fields = (*EDITABLE_FIELDS, "reason")

    def get_fields(self):
        # An edit names only what changes.
        fields = super().get_fields()
        for field in fields.values():
            field.required = False
        return fields


class ReviewSerializer(StrictSerializer):
    decision = serializers.ChoiceField(choices=["accept", "reject"])
    note = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="Required to reject.",
    )


class ClaimReviewInputSerializer(StrictSerializer):
    """A reviewer's decision on a claim: accept it, reject it with a reason,
    or close it as a duplicate of the claim it repeats (``of``)."""

    decision = serializers.ChoiceField(choices=["accept", "reject", "duplicate"])
    note = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="Required to reject.",
    )
    reason = serializers.ChoiceField(
        choices=RejectionReason.choices,
        required=False,
        allow_blank=True,
        help_text="Why it is rejected (default other); a duplicate decides "
        "duplicate with of instead.",
    )
    of = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="For duplicate: the id of the claim it repeats.",
    )

    def validate(self, attrs):
        if attrs["decision"] == "duplicate" and "of" not in attrs:
            raise serializers.ValidationError(
                {"of": "name the claim it repeats."}, code="required"
            )
        if attrs["decision"] != "duplicate" and "of" in attrs:
            raise serializers.ValidationError(
                {"of": "only a duplicate names the claim it repeats."}
            )
        return attrs


class NotARepeatSerializer(StrictSerializer):
    of = serializers.IntegerField(
        min_value=1, help_text="The id of the claim it does not repeat."
    )


class RelationInputSerializer(StrictSerializer):
    other = serializers.IntegerField(min_value=1, help_text="The claim it relates to.")
    kind = serializers.ChoiceField(choices=RelationKind.choices)
    rationale = serializers.CharField(max_length=4000)
    spans = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        min_length=1,
        max_length=20,
        help_text="Ids of the public spans, of either claim, that show it.",
    )


class EvidenceInputSerializer(AnchorInputSerializer):
    """Evidence: a source and a stance, and the cited words if any (none of
    start, end and exact: the whole source)."""

    source = serializers.IntegerField(min_value=1)  # type: ignore[assignment]  # the API name; not Field.source
    stance = serializers.ChoiceField(choices=Stance.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class StatusChangeSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=Status.choices)
    rationale = serializers.CharField(max_length=5000)
    evidence = EvidenceInputSerializer(  # type: ignore[call-arg]  # many=True takes max_length
        many=True,
        required=False,
        max_length=settings.CLAIMTRACK_MAX_EVIDENCE_PER_CHANGE,
        help_text="Required (at least one) for verdicts; at most "
        f"{settings.CLAIMTRACK_MAX_EVIDENCE_PER_CHANGE}.",
    )
    relations = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=settings.CLAIMTRACK_MAX_EVIDENCE_PER_CHANGE,
        help_text='Ids of relations of this claim to cite ("#41 contradicts this '
        "claim\"): each one's words become evidence, refuting for contradicts, "
        "supporting for supports, context otherwise. They count toward the "
        "evidence a verdict needs.",
    )


class WithdrawSerializer(StrictSerializer):
    reason = serializers.CharField(
        max_length=2000, help_text="Why the item leaves the public record."
    )


class RevisionLinkSerializer(StrictSerializer):
    revises = serializers.IntegerField(
        min_value=1,
        allow_null=True,
        help_text="Id of the earlier version this source revises; null clears the "
        "link. A reviewer's link is accepted at once, anyone else's is proposed.",
    )
    note = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="Why (kept in the source's history).",
    )


# What a fetch finds for itself: given with it, they are refused.
_FETCHED = ("text", "retrieved_at", "revises")


def _fetching(data) -> bool:
    """Whether the source is to be fetched from its url (``data["fetch"]`` set
    to the answer): by default when there is a url and no text."""
    fetch = data.get("fetch")
    if fetch is None:
        fetch = bool(data.get("url")) and not data.get("text")
    data["fetch"] = fetch
    if not fetch:
        return False
    if not data.get("url"):
        raise serializers.ValidationError({"url": "is needed to fetch a page."})
    for field in _FETCHED:
        if data.get(field):
            raise serializers.ValidationError(
                {field: "cannot be given with fetch: the page's own is kept."}
            )
    return True


class SourceCreateSerializer(StrictSerializer):
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=MAX_TEXT_CHARS,
        help_text="The full text; normalized (NFC, \\n) on arrival. Empty for a "
        "source without text, which then needs a url.",
    )
    title = serializers.CharField(max_length=500, required=False, allow_blank=True)
    url = serializers.URLField(max_length=2000, required=False, allow_blank=True)
    publisher = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Publisher name."
    )
    kind = serializers.ChoiceField(
        choices=SourceKind.choices, default=SourceKind.NEWS_ARTICLE
    )
    language = serializers.CharField(max_length=35, required=False, allow_blank=True)
    published_on = serializers.DateField(required=False, allow_null=True)
    retrieved_at = serializers.DateTimeField(required=False, allow_null=True)
    revises = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    propose_claims = serializers.BooleanField(
        default=False,
        help_text="Also run the claim extractor over the text: its proposals become "
        "proposed claims for review, made by the extractor (needs the right to "
        "propose claims). Over CLAIMTRACK_MAX_PROPOSE_CHARS (200,000 by default) "
        "they are made by a background job: the answer is 202 with the job.",
    )
    min_confidence = serializers.FloatField(
        min_value=0,
        max_value=1,
        required=False,
        help_text="With propose_claims: leave out proposals the extractor is "
        "less confident of (0 to 1; all by default).",
    )
    fetch = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Fetch the page at url and make the source of its article text, "
        "keeping the response as a snapshot (docs/SOURCES.md). The default "
        "without a text; false stores a source without text (a video, a "
        "paywalled page) that is cited by its url.",
    )

    def validate(self, data):
        if "min_confidence" in data and not data.get("propose_claims"):
            raise serializers.ValidationError(
                {"min_confidence": "applies only with propose_claims: true."}
            )
        fetching = _fetching(data)
        if data.get("propose_claims") and not (data.get("text") or fetching):
            raise serializers.ValidationError(
                {"propose_claims": "needs a text to propose claims from."}
            )
        return data

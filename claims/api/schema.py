"""drf-spectacular extensions: how our authentication appears in the schema."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "claims.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'A token from `manage.py create_token`, sent as "Token <token>" '
            'or "Bearer <token>". Tokens are stored hashed and expire.',
        }


class Error(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ErrorResponse(serializers.Serializer):
    """The one error shape, open-ended: the 400s name fields and parameters
    the client sent (an unknown one included) and the services' own codes,
    which no per-field enum could list; docs/API.md lists the codes."""

    type = serializers.ChoiceField(choices=["validation_error", "client_error"])
    # The response's key; DRF's own Serializer.errors is no concern here.
    errors = Error(many=True)  # type: ignore[assignment]


def documented_error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ErrorResponse, description=description)


# Descriptions for fields the serializers leave undescribed, by
# "Component.field" first, then by field name. Every property of the schema gets
# one (tests/test_api_schema.py checks), so a reader of /api/docs/ never meets a
# bare name.
FIELD_HELP = {
    "id": "Unique id.",
    "text": "The text.",
    "Claim.text": "The claim as a short, self-contained statement.",
    "ClaimSummary.text": "The claim as a short, self-contained statement.",
    "ProposeClaimRequest.text": "The claim as a short, self-contained statement, in your words.",
    "PatchedEditClaimRequest.text": "The claim as a short, self-contained statement.",
    "attribution": "direct_quote (quotation marks), indirect (reported speech), "
    "narrator (the source's own assertion, no speaker) or hedged (reportedly).",
    "kind": "What kind of thing this is (see the enum).",
    "Claim.kind": "fact (past or present), prediction, promise or opinion.",
    "ClaimSummary.kind": "fact (past or present), prediction, promise or opinion.",
    "ProposeClaimRequest.kind": "fact (past or present), prediction, promise or opinion.",
    "PatchedEditClaimRequest.kind": "fact, prediction, promise or opinion.",
    "Source.kind": "The kind of document.",
    "SourceDetail.kind": "The kind of document.",
    "Speaker.kind": "person or organization.",
    "SpeakerDetail.kind": "person or organization.",
    "stated_on": "When the claim was made (YYYY-MM-DD; at month or year precision "
    "any day of the period, stored as its first day).",
    "stated_on_precision": "day, month or year: how precisely stated_on is known.",
    "due_on": "The deadline of a prediction or promise (YYYY-MM-DD; at month or "
    "year precision stored as the period's last day).",
    "due_on_precision": "day, month or year: how precisely due_on is known.",
    "due_text": 'The source\'s own words for the deadline ("by November or December").',
    "speaker": 'The speaker: an id, or {"name": …} to match or create one; null '
    "for a narrator claim.",
    "speaker_title": "The speaker's title as the source gave it.",
    "spans": "The claim's anchors: exact words in source texts, with both selectors.",
    "evidence": "Sources (optionally their exact words) bearing on the verdict.",
    "created_at": "When it was created (ISO 8601).",
    "updated_at": "When it last changed (ISO 8601).",
    "status": "The verdict (see the enum); its history is the status ledger.",
    "StatusChangeRequest.status": "The status to move to (the transition table "
    "decides which moves are allowed).",
    "review": "The editorial state: proposed, accepted or rejected.",
    "version": "The claim's version (increases on every change).",
    "claim": "The claim's id.",
    "type": "What happened.",
    "Edit.type": "+ created, ~ changed.",
    "detail": "A short description of the change.",
    "by": "Username of who made the change.",
    "at": "When (ISO 8601).",
    "reason": "Why, as given by whoever changed it.",
    "stance": "supports, refutes or context.",
    "start": "First code point (included) of the words in the normalized text.",
    "end": "Code point after the last one of the words (excluded).",
    "exact": "The words between start and end.",
    "prefix": "Up to 32 characters before the words.",
    "suffix": "Up to 32 characters after the words.",
    "note": "A note for readers.",
    "source": "The source's id.",
    "ledger": "The status ledger, oldest first.",
    "edits": "The edit history, oldest first.",
    "to_status": "The status after this move.",
    "rationale": "Why the status moved.",
    "changed_by": "Username of who moved it.",
    "changed_at": "When it moved (ISO 8601).",
    "claim_version": "The claim's version after this move.",
    "next": "URL of the next page, or null.",
    "previous": "URL of the previous page, or null.",
    "results": "The items of this page.",
    "decision": "accept or reject.",
    "title": "The document's title.",
    "publisher": "The publisher's name.",
    "published_on": "Publication date, if known.",
    "retrieved_at": "When this copy of the text was taken.",
    "revises": "Id of the earlier version of this document, if any.",
    "url": "Where the document is published.",
    "language": "BCP 47 language tag (en, ur, en-GB).",
    "role": "content (the claimed words), speaker (where the speaker is named) or "
    'cue ("said").',
    "name": "The name.",
    "aliases": "Other names the sources use.",
    "description": "A short description.",
    "wikidata_id": "Wikidata item id (Q…), if known.",
    "merged_into": "Set when this speaker was merged into another (its id).",
}
# The same for the error components (ErrorResponse404, …ErrorComponent).
ERROR_HELP = {
    "type": "validation_error, client_error or server_error.",
    "errors": "The errors: one per problem, each with a code (docs/API.md lists them).",
    "code": "A stable code for the kind of error (docs/API.md lists them).",
    "detail": "What is wrong, for a person to read.",
    "attr": "The field at fault, dotted through nested ones (spans.0.exact); "
    "null when the request as a whole is refused.",
}


def describe_every_field(result, generator, request, public):
    """Postprocessing hook: give every schema property a description, and say
    that request bodies take no other fields (the API refuses unknown ones)."""
    for component, schema in result.get("components", {}).get("schemas", {}).items():
        if component.endswith("Request") and "properties" in schema:
            schema["additionalProperties"] = False
        for name, prop in schema.get("properties", {}).items():
            if prop.get("description"):
                continue
            help = ERROR_HELP if "Error" in component else FIELD_HELP
            text = FIELD_HELP.get(f"{component}.{name}") or help.get(name)
            if text is None:
                continue
            if "$ref" in prop:  # OpenAPI 3.0 ignores siblings of $ref
                ref = prop.pop("$ref")
                prop["allOf"] = [{"$ref": ref}]
            prop["description"] = text
    return result

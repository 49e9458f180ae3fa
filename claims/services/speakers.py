"""Find, create and merge speakers."""

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from sources.models import set_history_context
from sources.text import bidi_control_problem, normalize_name

from ..models import (
    Claim,
    EventKind,
    Speaker,
    Watch,
)
from .base import bump_version, save_claim
from .checks import optional_text, required_text, save_instance, validate_instance


@transaction.atomic
def find_or_create_speaker(
    *,
    name: str,
    by: User | None = None,
    kind: str = "person",
    aliases: Sequence[str] = (),
) -> Speaker:
    """The active speaker whose name or an alias looks the same as ``name``,
    or a new one.

    "Looks the same": the same ``name_key`` (sources/text.py), so case,
    spacing, invisible characters and confusable letters (a Cyrillic a, U+0430, in
    "Shaza") do not make a second speaker; a merged speaker's old name finds
    the speaker it was merged into (which holds it as an alias). The API's
    ``{"name": …}``, the extractor and the seeds all come through here. The
    name is stored normalized (``normalize_name``).
    """
    name = required_text(name, "speaker.name")
    if problem := bidi_control_problem(name):
        # Refused before matching: "\u202erofakO" shows as a name it is not.
        raise ValidationError({"speaker.name": problem})
    name = required_text(normalize_name(name), "speaker.name")
    existing = Speaker.objects.active().named(name).order_by("id").first()
    if existing is not None:
        return existing
    speaker = Speaker(name=name, kind=kind, aliases=list(aliases))
    validate_instance(speaker, prefix="speaker")
    set_history_context(speaker, by=by)
    save_instance(speaker, prefix="speaker")
    return speaker


@transaction.atomic
def merge_speakers(
    *, merged: Speaker, into: Speaker, by: User, reason: str = ""
) -> Speaker:
    """Move every claim of ``merged`` to ``into`` and keep ``merged`` as a pointer.

    ``into`` gains ``merged``'s name and aliases as aliases; each moved claim gets
    a new version and a history entry. Nothing is deleted.
    """
    if merged.pk == into.pk:
        raise ValidationError({"into": "a speaker cannot be merged into itself."})
    # Lock both rows in a fixed order (by id) so that concurrent merges of the
    # same speakers queue instead of deadlocking, then re-read them under lock.
    locked = {
        speaker.pk: speaker
        for speaker in Speaker.objects.select_for_update()
        .filter(pk__in=[merged.pk, into.pk])
        .order_by("pk")
    }
    for speaker, field in ((merged, "merged"), (into, "into")):
        if speaker.pk not in locked:
            raise ValidationError({field: f"there is no speaker with id {speaker.pk}."})
    merged, into = locked[merged.pk], locked[into.pk]
    for speaker, field in ((merged, "merged"), (into, "into")):
        if speaker.merged_into_id is not None:
            raise ValidationError(
                {
                    field: f"{speaker} was already merged into speaker {speaker.merged_into_id}."
                }
            )
    why = (
        optional_text(reason, "reason") or f"speaker {merged.pk} merged into {into.pk}"
    )
    for claim in Claim.objects.filter(speaker=merged).order_by("id").iterator():
        claim = bump_version(claim, None)
        claim.speaker = into
        save_claim(claim, by=by, reason=why, event=EventKind.EDITED)
    into.aliases = list(
        dict.fromkeys(
            name for name in [*into.aliases, *merged.all_names] if name != into.name
        )
    )
    if not into.wikidata_id and merged.wikidata_id:
        into.wikidata_id, merged.wikidata_id = merged.wikidata_id, ""
    merged.merged_into = into
    for speaker in (merged, into):  # merged first: it gives up its Wikidata id
        validate_instance(speaker)
        set_history_context(speaker, by=by, reason=why[:100])
        save_instance(speaker, update_fields=["aliases", "wikidata_id", "merged_into"])
    # Whoever watched the merged speaker now watches the one it became
    # (docs/NOTIFICATIONS.md); a watch of both stays one.
    Watch.objects.filter(
        speaker=merged, user__in=Watch.objects.filter(speaker=into).values("user")
    ).delete()
    Watch.objects.filter(speaker=merged).update(speaker=into)
    return into

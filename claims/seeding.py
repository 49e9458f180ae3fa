"""Load curated seed folders: ``seeds/<name>/seed.yaml`` and the texts it names.

``claims.seed_reading`` reads and checks the whole set first (every quote found,
every reference resolved), so a bad file stops the load before anything is
written. Then each folder, in an order that loads a seed after the seeds it
refers to, gives its sources and speakers, its claims (each one transaction:
created, accepted and given its ledger together, so an interrupted load leaves
no half-written claim and a rerun completes it), its appearances of claims
said again (one transaction each) and its relations between claims (one
each). Loading twice leaves the database as it was.
"""

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from sources.models import Source
from sources.services import create_source

from . import services
from .models import Claim, ClaimKind, ClaimRelation, Review, Span, SpanRole, Speaker
from .models.choices import stored_dates
from .seed_reading import (
    SEED_FILE,
    SEEDS_DIR,
    ResolvedAnchor,
    SeedError,
    read_seed,
    read_seeds,
    seed_folders,
)
from .services.base import date_first_appearance

__all__ = [
    "SEEDS_DIR",
    "SEED_FILE",
    "SeedError",
    "SeedReport",
    "load_seeds",
    "read_seed",
    "read_seeds",
    "seed_folders",
]


@dataclass
class SeedReport:
    sources_created: int = 0
    speakers_created: int = 0
    claims_created: int = 0
    claims_updated: int = 0
    claims_unchanged: int = 0
    claims_kept: int = 0
    appearances_added: int = 0
    relations_added: int = 0
    messages: list[str] = field(default_factory=list)


@dataclass
class _Loaded:
    """The seed accounts, and what the folders loaded so far wrote or found,
    by their references: ``(seed key, source key)``, ``(seed key, claim key)``."""

    by: User
    curator: User
    report: SeedReport
    sources: dict[tuple[str, str], Source] = field(default_factory=dict)
    claims: dict[tuple[str, str], Claim] = field(default_factory=dict)
    # Ledger moves that cite relations wait for every seed's relations:
    # (claim id, the moves from the first such one on, where it is written).
    waiting: list[tuple[int, list, Path]] = field(default_factory=list)
    relations_loaded: bool = False
    path: Path | None = None  # the seed file being loaded


def _load_sources(data: dict, loaded: _Loaded) -> None:
    for key, meta in data["sources"].items():
        result = create_source(
            text=data["_texts"][key],
            title=meta.get("title", ""),
            url=meta.get("url", ""),
            publisher=meta.get("publisher"),
            kind=meta.get("kind", "news_article"),
            language=meta.get("language", ""),
            published_on=meta.get("published_on"),
            by=loaded.by,
        )
        loaded.report.sources_created += result.created
        loaded.sources[(data["key"], key)] = result.source


def _edited_by_others(instance, *seed_users) -> bool:
    """Whether anyone but the seed's own accounts has changed this record."""
    return instance.history.exclude(history_user__in=seed_users).exists()


def _load_speakers(data: dict, loaded: _Loaded) -> dict[str, Speaker]:
    """Speakers by name; a merged one resolves to the speaker it was merged into.

    A speaker the seed created is kept in step with the seeds (every seed
    that names it: ``seed_reading`` merges their entries); once a reviewer
    has changed it, the reviewer's version stands.
    """
    by, speakers = loaded.by, {}
    for spec in data["_speakers"].values():
        speaker = Speaker.objects.filter(name=spec["name"]).order_by("id").first()
        while speaker is not None and speaker.merged_into_id is not None:
            speaker = speaker.merged_into
        if speaker is None:
            speaker = services.find_or_create_speaker(
                name=spec["name"],
                kind=spec.get("kind", "person"),
                aliases=spec.get("aliases", []),
                by=by,
            )
            loaded.report.speakers_created += 1
        wanted = {
            "kind": spec.get("kind", "person"),
            "description": spec.get("description", ""),
            "wikidata_id": spec.get("wikidata_id", ""),
            "aliases": list(
                dict.fromkeys([*speaker.aliases, *spec.get("aliases", [])])
            ),
        }
        differs = any(getattr(speaker, name) != value for name, value in wanted.items())
        if (
            differs
            and speaker.name == spec["name"]
            and not _edited_by_others(speaker, by)
        ):
            for name, value in wanted.items():
                setattr(speaker, name, value)
            speaker.full_clean()
            speaker._history_user = by
            speaker._change_reason = "seed file"
            speaker.save()
        speakers[spec["name"]] = speaker
    return speakers


def _span_input(anchor: ResolvedAnchor, sources, role=SpanRole.CONTENT, **facts):
    return services.SpanInput(
        source=sources[anchor.source],
        start=anchor.start,
        end=anchor.end,
        exact=anchor.exact,
        role=role,
        **facts,
    )


def _evidence_inputs(items, sources):
    return [
        services.EvidenceInput(
            source=sources[item["_source"]],
            stance=item["stance"],
            start=item["_anchor"].start if item["_anchor"] else None,
            end=item["_anchor"].end if item["_anchor"] else None,
            exact=item["_anchor"].exact if item["_anchor"] else None,
            note=item.get("note", ""),
        )
        for item in items
    ]


def _claim_fields(spec: dict, speakers) -> dict:
    kind = spec["kind"]
    fields = {
        "text": spec["text"],
        "speaker": speakers[spec["speaker"]] if spec.get("speaker") else None,
        "speaker_title": spec.get("speaker_title", ""),
        "attribution": spec["attribution"],
        "kind": kind,
        "stated_on": spec.get("stated_on"),
        "stated_on_precision": spec.get("stated_on_precision", ""),
        "due_on": spec.get("due_on"),
        "due_on_precision": spec.get("due_on_precision", ""),
        "due_text": spec.get("due_text", ""),
    }
    for name in ("stated_on", "due_on"):
        if fields[name] is not None and not isinstance(fields[name], datetime.date):
            raise SeedError(
                f"{spec['text'][:40]!r}: {name} must be a date (YYYY-MM-DD)."
            )
    if kind not in ClaimKind.values:
        raise SeedError(f"{spec['text'][:40]!r}: unknown kind {kind!r}.")
    # Compare with what the service stores: dates at their period's edge.
    fields["stated_on"], fields["due_on"] = stored_dates(
        fields["stated_on"],
        fields["stated_on_precision"],
        fields["due_on"],
        fields["due_on_precision"],
    )
    return fields


def _first_said(fields: dict, claim) -> tuple:
    """The claim's ``stated_on`` as the services keep it: the file's, moved
    earlier by any appearance said wholly before it (an appearance a later
    seed added is not an edit to undo)."""
    said = SimpleNamespace(
        stated_on=fields["stated_on"],
        stated_on_precision=fields["stated_on_precision"],
    )
    for span in claim.spans.order_by("id"):
        date_first_appearance(said, span)
    return said.stated_on, said.stated_on_precision


def _apply_moves(claim, moves, loaded: _Loaded) -> None:
    for index, move in enumerate(moves):
        if move["_relations"] and not loaded.relations_loaded:
            loaded.waiting.append((claim.pk, moves[index:], loaded.path))
            return
        claim.refresh_from_db()  # the version the spans and moves so far left
        services.change_status(
            claim=claim,
            to_status=move["status"],
            rationale=move["rationale"],
            by=loaded.by,
            expected_version=claim.version,
            evidence=_evidence_inputs(move.get("evidence") or [], loaded.sources),
            relations=[_relation_id(key, loaded) for key in move["_relations"]],
        )


def _relation_id(key, loaded: _Loaded) -> int:
    one, kind, other = key
    relation = ClaimRelation.objects.filter(
        claim=loaded.claims[one], other=loaded.claims[other], kind=kind
    ).first()
    if relation is None:
        raise ValidationError(
            {"relations": f"{'/'.join(one)} {kind} {'/'.join(other)} was not added."}
        )
    return relation.pk


@transaction.atomic
def _apply_waiting(claim_pk: int, moves: list, loaded: _Loaded) -> None:
    _apply_moves(Claim.objects.get(pk=claim_pk), moves, loaded)


def _moves_to_apply(claim, spec: dict, report: SeedReport) -> list:
    """The ledger entries of the file not yet in the claim's ledger.

    The ledger only grows: the entries already there must be the file's first
    ones, in order; a file whose earlier entries differ from them is reported
    and nothing is applied (entries are never rewritten)."""
    moves = spec.get("ledger") or []
    done = list(
        claim.ledger.order_by("claim_version").values_list("to_status", flat=True)
    )[1:]
    if done != [move["status"] for move in moves[: len(done)]]:
        report.messages.append(
            f"claim {claim.pk}: its ledger ({', '.join(done) or 'empty'}) is not the "
            "start of the seed file's; no entry applied"
        )
        return []
    return moves[len(done) :]


@transaction.atomic
def _load_claim(spec: dict, speakers, note: str, loaded: _Loaded):
    by, curator, report = loaded.by, loaded.curator, loaded.report
    fields = _claim_fields(spec, speakers)
    spans = [_span_input(a, loaded.sources, role) for a, role in spec["_spans"]]
    content = next(s for s in spans if s.role == SpanRole.CONTENT)
    existing = (
        Span.objects.filter(
            source=content.source,
            start=content.start,
            end=content.end,
            role=content.role,
        )
        .select_related("claim")
        .order_by("id")
        .first()
    )
    if existing is None:
        # Curated in the seed file, proposed by its curator and accepted by
        # the seed reviewer (four eyes); its sourced history comes with it.
        claim = services.propose_claim(spans=spans, by=curator, note=note, **fields)
        _apply_moves(claim, spec.get("ledger") or [], loaded)
        for item in _evidence_inputs(spec.get("evidence") or [], loaded.sources):
            services.add_evidence(claim=claim, evidence=item, by=by)
        claim = services.review_claim(claim=claim, decision="accept", by=by, note=note)
        report.claims_created += 1
        return claim
    claim = existing.claim
    if _edited_by_others(claim, by, curator):
        report.claims_kept += 1
        report.messages.append(
            f"claim {claim.pk}: kept as reviewers changed it since it was seeded"
        )
        return claim
    stored = {(s.source_id, s.start, s.end, s.role) for s in claim.spans.all()}
    missing = [s for s in spans if (s.source.pk, s.start, s.end, s.role) not in stored]
    fields["stated_on"], fields["stated_on_precision"] = _first_said(fields, claim)
    changed = {k: v for k, v in fields.items() if getattr(claim, k) != v}
    moves = _moves_to_apply(claim, spec, report)
    if not changed and not missing and not moves:
        report.claims_unchanged += 1
        return claim
    if changed:
        claim = services.edit_claim(
            claim=claim,
            expected_version=claim.version,
            by=by,
            reason="seed file updated",
            **changed,
        )
    for span in missing:
        _add_span(claim, span, note, loaded)
    _apply_moves(claim, moves, loaded)
    report.claims_updated += 1
    return claim


def _add_span(claim, span, note: str, loaded: _Loaded) -> None:
    """One more span, added by the curator and accepted by the seed reviewer."""
    row = services.add_span(claim=claim, span=span, by=loaded.curator)
    if row.review == Review.PROPOSED:
        services.review_contribution(
            item=row, decision="accept", by=loaded.by, note=note
        )


@transaction.atomic
def _load_appearance(entry: dict, speakers, note: str, loaded: _Loaded) -> None:
    """The appearance's spans the claim lacks. A place already recorded on the
    claim (even withdrawn or rejected) is never added again, so a reviewer's
    decision on it stands."""
    claim = loaded.claims[entry["_claim"]]
    facts = {
        "stated_on": entry.get("stated_on"),
        "stated_on_precision": entry.get("stated_on_precision", ""),
        "speaker": speakers[entry["speaker"]] if entry.get("speaker") else None,
        "speaker_title": entry.get("speaker_title", ""),
    }
    spans = [
        _span_input(
            anchor,
            loaded.sources,
            role,
            **(facts if role == SpanRole.CONTENT else {}),
        )
        for anchor, role in entry["_spans"]
    ]
    stored = {(s.source_id, s.start, s.end, s.role) for s in claim.spans.all()}
    missing = [s for s in spans if (s.source.pk, s.start, s.end, s.role) not in stored]
    if not missing:
        return
    if claim.review == Review.REJECTED:
        loaded.report.messages.append(
            f"claim {claim.pk}: rejected by reviewers; appearance not added"
        )
        return
    for span in missing:
        _add_span(claim, span, note, loaded)
    loaded.report.appearances_added += 1


@transaction.atomic
def _load_relation(entry: dict, loaded: _Loaded) -> None:
    """The relation, unless the pair already has one of its kind (even a
    withdrawn one: the withdrawal stands)."""
    claim, other = loaded.claims[entry["_claim"]], loaded.claims[entry["_other"]]
    kind = entry["kind"]
    if ClaimRelation.objects.filter(claim=claim, other=other, kind=kind).exists():
        return
    spans = []
    for anchor in entry["_spans"]:
        span = (
            Span.objects.public()
            .filter(
                claim__in=[claim, other],
                source=loaded.sources[anchor.source],
                start=anchor.start,
                end=anchor.end,
            )
            .order_by("id")
            .first()
        )
        if span is None:
            loaded.report.messages.append(
                f"claims {claim.pk}, {other.pk}: {kind} not added, as the words "
                f"{anchor.exact[:40]!r} are no public span of either"
            )
            return
        spans.append(span)
    services.relate_claims(
        claim=claim,
        other=other,
        kind=kind,
        rationale=entry["rationale"],
        spans=spans,
        by=loaded.by,
    )
    loaded.report.relations_added += 1


def _refused(error: ValidationError) -> str:
    return "; ".join(f"{k}: {v[0]}" for k, v in error.message_dict.items())


def _step(path: Path, where: str, load, *args):
    """One step of the load (one transaction); a refusal names its entry."""
    try:
        return load(*args)
    except ValidationError as error:
        # The step's transaction was rolled back: it wrote nothing.
        raise SeedError(f"{path}: {where}: {_refused(error)}") from None


def _load_folder(data: dict, loaded: _Loaded) -> None:
    path = loaded.path = data["_path"]
    note = data.get("reviewer_note", "Curated seed claim.")
    try:
        with transaction.atomic():
            _load_sources(data, loaded)
            speakers = _load_speakers(data, loaded)
    except ValidationError as error:
        raise SeedError(f"{path}: sources or speakers: {_refused(error)}") from None
    for i, spec in enumerate(data["claims"]):
        where = f"claims[{i}] ({spec['text'][:40]!r})"
        claim = _step(path, where, _load_claim, spec, speakers, note, loaded)
        if "key" in spec:
            loaded.claims[(data["key"], spec["key"])] = claim
    for i, entry in enumerate(data["appearances"]):
        where = f"appearances[{i}] ({'/'.join(entry['_claim'])})"
        _step(path, where, _load_appearance, entry, speakers, note, loaded)
    for i, entry in enumerate(data["relations"]):
        _step(path, f"relations[{i}]", _load_relation, entry, loaded)


def load_seeds(root: Path = SEEDS_DIR) -> SeedReport:
    seeds = read_seeds(root)  # check everything before writing anything
    loaded = _Loaded(
        by=services.get_system_user(settings.CLAIMTRACK_SEED_REVIEWER_USERNAME),
        curator=services.get_system_user(settings.CLAIMTRACK_SEED_CURATOR_USERNAME),
        report=SeedReport(),
    )
    for data in seeds:
        _load_folder(data, loaded)
    loaded.relations_loaded = True
    for claim_pk, moves, path in loaded.waiting:
        where = f"the ledger of claim {claim_pk}, from {moves[0]['status']!r}"
        _step(path, where, _apply_waiting, claim_pk, moves, loaded)
    return loaded.report

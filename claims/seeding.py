"""Load curated seed folders: ``seeds/<name>/seed.yaml`` and the texts it names.

Spans in a seed file are quoted words (plus ``occurrence`` when the words repeat);
this module turns them into offsets and refuses anything that does not verify.
The whole folder is checked before anything is written; then each claim is one
transaction (created, accepted and given its ledger together), so an interrupted
load leaves no half-written claim and a rerun completes it. Loading twice leaves
the database as it was.
"""

import datetime
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from sources.anchoring import AnchorError, count_occurrences, find_quote
from sources.models import Source
from sources.services import create_source
from sources.text import normalize_text

from . import services
from .models import (
    Attribution,
    ClaimKind,
    DatePrecision,
    Review,
    Span,
    SpanRole,
    Speaker,
    SpeakerKind,
    Stance,
    Status,
)
from .models.choices import stored_dates

SEEDS_DIR = Path(settings.BASE_DIR) / "seeds"
SEED_FILE = "seed.yaml"


class SeedError(ValueError):
    """A seed file that cannot be loaded; the message says where and why."""


@dataclass
class SeedReport:
    sources_created: int = 0
    speakers_created: int = 0
    claims_created: int = 0
    claims_updated: int = 0
    claims_unchanged: int = 0
    claims_kept: int = 0
    messages: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ResolvedAnchor:
    source_key: str
    start: int
    end: int
    exact: str


def seed_folders(root: Path = SEEDS_DIR) -> list[Path]:
    return sorted(path.parent for path in root.glob(f"*/{SEED_FILE}"))


def _resolve(texts: dict[str, str], spec: dict, default_source: str, where: str):
    if not isinstance(spec, dict) or not isinstance(spec.get("quote"), str):
        raise SeedError(f"{where}: needs a 'quote' (the exact words from the text).")
    source_key = spec.get("source", default_source)
    if source_key not in texts:
        raise SeedError(f"{where}: unknown source {source_key!r}.")
    text, quote = texts[source_key], normalize_text(spec["quote"])
    occurrence = spec.get("occurrence")
    if occurrence is None and count_occurrences(text, quote) > 1:
        raise SeedError(
            f"{where}: {quote!r} occurs {count_occurrences(text, quote)} times in "
            f"{source_key}; say which with 'occurrence' (counted from 1)."
        )
    try:
        selector = find_quote(text, quote, occurrence or 1)
    except AnchorError as error:
        raise SeedError(f"{where}: {error.field} {error.message}") from None
    return ResolvedAnchor(source_key, selector.start, selector.end, selector.exact)


def _check_choice(value, choices, where: str) -> None:
    if value not in choices.values:
        raise SeedError(
            f"{where}: {value!r} is not one of {', '.join(choices.values)}."
        )


def _check_claim_spec(claim: dict, sources: dict, where: str) -> None:
    """Everything about a claim entry that can be checked without the database."""
    for key in ("text", "source", "attribution", "kind", "spans"):
        if not claim.get(key):
            raise SeedError(f"{where}: needs '{key}'.")
    if claim["source"] not in sources:
        raise SeedError(f"{where}: unknown source {claim['source']!r}.")
    _check_choice(claim["attribution"], Attribution, f"{where} attribution")
    _check_choice(claim["kind"], ClaimKind, f"{where} kind")
    _check_dates(claim, where)
    for i, span in enumerate(claim["spans"]):
        if isinstance(span, dict):
            _check_choice(
                span.get("role", SpanRole.CONTENT), SpanRole, f"{where} spans[{i}] role"
            )
    _check_ledger(claim, where)
    _check_evidence(claim, sources, where)


def _check_dates(claim: dict, where: str) -> None:
    for name in ("stated_on", "due_on"):
        value = claim.get(name)
        if value is not None and (
            not isinstance(value, datetime.date) or isinstance(value, datetime.datetime)
        ):
            raise SeedError(f"{where}: {name} must be a date (YYYY-MM-DD).")
        if claim.get(f"{name}_precision"):
            _check_choice(
                claim[f"{name}_precision"], DatePrecision, f"{where} {name}_precision"
            )


def _check_ledger(claim: dict, where: str) -> None:
    for i, move in enumerate(claim.get("ledger") or []):
        if (
            not isinstance(move, dict)
            or not move.get("status")
            or not move.get("rationale")
        ):
            raise SeedError(f"{where} ledger[{i}]: needs 'status' and 'rationale'.")
        _check_choice(move["status"], Status, f"{where} ledger[{i}] status")


def _check_evidence(claim: dict, sources: dict, where: str) -> None:
    for group, items in _evidence_groups(claim):
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise SeedError(f"{where} {group}[{i}]: must be a mapping.")
            _check_choice(item.get("stance"), Stance, f"{where} {group}[{i}] stance")
            if item.get("source", claim["source"]) not in sources:
                raise SeedError(
                    f"{where} {group}[{i}]: unknown source {item.get('source')!r}."
                )


def _evidence_groups(claim: dict) -> list[tuple[str, list]]:
    """The claim's evidence and each ledger move's, named as errors cite them."""
    return [("evidence", claim.get("evidence") or [])] + [
        (f"ledger[{i}].evidence", move.get("evidence") or [])
        for i, move in enumerate(claim.get("ledger") or [])
    ]


def read_seed(folder: Path) -> dict:
    """Parse and check one seed folder, resolving every quote to offsets."""
    path = folder / SEED_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise SeedError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("sources"), dict):
        raise SeedError(f"{path}: needs a 'sources' mapping.")
    texts = _read_texts(folder, path, data["sources"])
    speakers = _read_speakers(path, data.get("speakers") or [])
    for index, claim in enumerate(data.get("claims") or []):
        if not isinstance(claim, dict):
            raise SeedError(f"{path}: claims[{index}] must be a mapping.")
        where = f"{path}: claims[{index}] ({str(claim.get('text', ''))[:40]!r})"
        _check_claim_spec(claim, data["sources"], where)
        if claim.get("speaker") and claim["speaker"] not in speakers:
            raise SeedError(
                f"{where}: speaker {claim['speaker']!r} is not in 'speakers'."
            )
        _resolve_claim(claim, texts, where)
    data["_texts"] = texts
    return data


def _read_texts(folder: Path, path: Path, sources: dict) -> dict[str, str]:
    """Each source's text, normalized, by its key in the seed file."""
    texts = {}
    for key, meta in sources.items():
        try:
            texts[key] = normalize_text((folder / meta["file"]).read_text("utf-8"))
        except (KeyError, TypeError, OSError) as error:
            raise SeedError(
                f"{path}: source {key!r}: cannot read its file ({error})."
            ) from None
    return texts


def _read_speakers(path: Path, specs: list) -> dict[str, dict]:
    speakers = {}
    for index, spec in enumerate(specs):
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
            raise SeedError(f"{path}: speakers[{index}] needs a 'name'.")
        _check_choice(
            spec.get("kind", "person"), SpeakerKind, f"{path}: speakers[{index}] kind"
        )
        speakers[spec["name"]] = spec
    return speakers


def _resolve_claim(claim: dict, texts: dict[str, str], where: str) -> None:
    """Store the offsets of the claim's spans (``_spans``) and of its evidence
    (each item's ``_anchor``) in the claim entry."""
    if not claim.get("spans"):
        raise SeedError(f"{where}: needs at least one span.")
    default_source = claim.get("source")
    claim["_spans"] = [
        (
            _resolve(texts, spec, default_source, f"{where} spans[{i}]"),
            spec.get("role", SpanRole.CONTENT),
        )
        for i, spec in enumerate(claim["spans"])
    ]
    for group, items in _evidence_groups(claim):
        for i, item in enumerate(items):
            item["_anchor"] = (
                _resolve(texts, item, default_source, f"{where} {group}[{i}]")
                if "quote" in item
                else None
            )


def _load_sources(data: dict, by, report: SeedReport) -> dict[str, Source]:
    sources = {}
    for key, meta in data["sources"].items():
        result = create_source(
            text=data["_texts"][key],
            title=meta.get("title", ""),
            url=meta.get("url", ""),
            publisher=meta.get("publisher"),
            kind=meta.get("kind", "news_article"),
            language=meta.get("language", ""),
            published_on=meta.get("published_on"),
            by=by,
        )
        report.sources_created += result.created
        sources[key] = result.source
    return sources


def _edited_by_others(instance, *seed_users) -> bool:
    """Whether anyone but the seed's own accounts has changed this record."""
    return instance.history.exclude(history_user__in=seed_users).exists()


def _load_speakers(data: dict, by, report: SeedReport) -> dict[str, Speaker]:
    """Speakers by name; a merged one resolves to the speaker it was merged into.

    A speaker the seed created is kept in step with the file; once a reviewer
    has changed it, the reviewer's version stands.
    """
    speakers = {}
    for spec in data.get("speakers", []):
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
            report.speakers_created += 1
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


def _span_input(anchor: ResolvedAnchor, sources, role=SpanRole.CONTENT):
    return services.SpanInput(
        source=sources[anchor.source_key],
        start=anchor.start,
        end=anchor.end,
        exact=anchor.exact,
        role=role,
    )


def _evidence_inputs(items, sources, default_source):
    return [
        services.EvidenceInput(
            source=sources[item.get("source", default_source)],
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


@transaction.atomic
def _load_claim(
    spec: dict, sources, speakers, by, note: str, report: SeedReport, curator
):
    fields = _claim_fields(spec, speakers)
    spans = [_span_input(anchor, sources, role) for anchor, role in spec["_spans"]]
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
        for move in spec.get("ledger", []):
            services.change_status(
                claim=claim,
                to_status=move["status"],
                rationale=move["rationale"],
                by=by,
                expected_version=claim.version,
                evidence=_evidence_inputs(
                    move.get("evidence", []), sources, spec["source"]
                ),
            )
            claim.refresh_from_db()
        for item in _evidence_inputs(spec.get("evidence", []), sources, spec["source"]):
            services.add_evidence(claim=claim, evidence=item, by=by)
        services.review_claim(claim=claim, decision="accept", by=by, note=note)
        report.claims_created += 1
        return
    claim = existing.claim
    if _edited_by_others(claim, by, curator):
        report.claims_kept += 1
        report.messages.append(
            f"claim {claim.pk}: kept as reviewers changed it since it was seeded"
        )
        return
    stored = {(s.source_id, s.start, s.end, s.role) for s in claim.spans.all()}
    missing = [s for s in spans if (s.source.pk, s.start, s.end, s.role) not in stored]
    changed = {k: v for k, v in fields.items() if getattr(claim, k) != v}
    if not changed and not missing:
        report.claims_unchanged += 1
        return
    if changed:
        claim = services.edit_claim(
            claim=claim,
            expected_version=claim.version,
            by=by,
            reason="seed file updated",
            **changed,
        )
    for span in missing:
        row = services.add_span(claim=claim, span=span, by=curator)
        if row.review == Review.PROPOSED:
            services.review_contribution(item=row, decision="accept", by=by, note=note)
    report.claims_updated += 1


def load_seed_folder(folder: Path, report: SeedReport | None = None) -> SeedReport:
    report = report or SeedReport()
    data = read_seed(folder)
    by = services.get_system_user(settings.CLAIMTRACK_SEED_REVIEWER_USERNAME)
    curator = services.get_system_user(settings.CLAIMTRACK_SEED_CURATOR_USERNAME)
    note = data.get("reviewer_note", "Curated seed claim.")
    try:
        with transaction.atomic():
            sources = _load_sources(data, by, report)
            speakers = _load_speakers(data, by, report)
    except ValidationError as error:
        raise SeedError(
            f"{folder / SEED_FILE}: sources or speakers: "
            f"{'; '.join(f'{k}: {v[0]}' for k, v in error.message_dict.items())}"
        ) from None
    for index, spec in enumerate(data.get("claims", [])):
        try:
            _load_claim(spec, sources, speakers, by, note, report, curator)
        except ValidationError as error:
            # Checked claims are written one transaction each; this one wrote nothing.
            raise SeedError(
                f"{folder / SEED_FILE}: claims[{index}] ({spec['text'][:40]!r}): "
                f"{'; '.join(f'{k}: {v[0]}' for k, v in error.message_dict.items())}"
            ) from None
    return report


def load_seeds(root: Path = SEEDS_DIR) -> SeedReport:
    report = SeedReport()
    folders = seed_folders(root)
    for folder in folders:  # check everything before writing anything
        read_seed(folder)
    for folder in folders:
        load_seed_folder(folder, report)
    return report

"""Read and check curated seed folders (``seeds/<name>/seed.yaml`` and the
texts it names) without touching the database.

Spans, evidence and relations in a seed file cite quoted words (plus
``occurrence`` when the words repeat); this module finds them in the texts and
refuses anything that does not verify, naming the file, the entry and the
span. A seed may name itself with ``key`` (its folder's name otherwise) and a
claim may carry a ``key``, so that another seed refers to them: a claim as
``<seed>/<claim>``, a source as ``<seed>/<source>``, or by the bare key within
its own seed. :func:`read_seeds` reads a whole set, checks every reference,
and gives the folders in an order that loads each after the seeds it refers to.
"""

import datetime
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.conf import settings

from sources.anchoring import AnchorError, count_occurrences, find_quote
from sources.text import normalize_text

from .models import (
    Attribution,
    ClaimKind,
    DatePrecision,
    RelationKind,
    SpanRole,
    SpeakerKind,
    Stance,
    Status,
)

SEEDS_DIR = Path(settings.BASE_DIR) / "seeds"
SEED_FILE = "seed.yaml"
SPEAKER_FIELDS = ("kind", "description", "wikidata_id")


class SeedError(ValueError):
    """A seed file that cannot be loaded; the message says where and why."""


@dataclass(frozen=True)
class ResolvedAnchor:
    seed_key: str
    source_key: str
    start: int
    end: int
    exact: str

    @property
    def source(self) -> tuple[str, str]:
        return (self.seed_key, self.source_key)

    @property
    def place(self) -> tuple[str, str, int, int]:
        return (self.seed_key, self.source_key, self.start, self.end)


def seed_folders(root: Path = SEEDS_DIR) -> list[Path]:
    return sorted(path.parent for path in root.glob(f"*/{SEED_FILE}"))


def read_seed(folder: Path) -> dict:
    """Parse and check one seed folder on its own (a reference to another
    seed is an error here: read the set with :func:`read_seeds`)."""
    return read_seeds(folders=[folder])[0]


def read_seeds(root: Path = SEEDS_DIR, *, folders: list[Path] | None = None):
    """Parse and check every seed folder of ``root`` (or ``folders``),
    resolving every quote to offsets and every reference to its seed; the
    folders come back in loading order."""
    if folders is None:
        folders = seed_folders(root)
    parsed = [_parse(folder) for folder in folders]
    seeds, texts, claims = _index(parsed)
    speakers = _merged_speakers(parsed)
    for data in parsed:
        data["_needs"] = set()
        data["_speakers"] = {name: speakers[name] for name in data["_speakers"]}
        for index, claim in enumerate(data["claims"]):
            _check_claim(claim, data, texts, f"{data['_path']}: claims[{index}]")
    for data in parsed:
        for index, appearance in enumerate(data["appearances"]):
            where = f"{data['_path']}: appearances[{index}]"
            _check_appearance(appearance, data, texts, claims, where)
    for data in parsed:
        for index, relation in enumerate(data["relations"]):
            where = f"{data['_path']}: relations[{index}]"
            _check_relation(relation, data, texts, claims, where)
    _check_citations(parsed)
    return _in_loading_order(parsed, seeds)


# libyaml's safe loader where PyYAML was built with it: the same documents,
# read several times faster (every seeded test reads the seeds).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse(folder: Path) -> dict:
    path = folder / SEED_FILE
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except yaml.YAMLError as error:
        raise SeedError(f"{path}: not valid YAML: {error}") from None
    except OSError as error:
        raise SeedError(f"{path}: cannot read it ({error}).") from None
    if not isinstance(data, dict) or not isinstance(data.get("sources"), dict):
        raise SeedError(f"{path}: needs a 'sources' mapping.")
    data["_path"] = path
    data["key"] = _key(data.get("key", folder.name), f"{path}: key")
    data["_texts"] = _read_texts(folder, path, data["sources"])
    data["_speakers"] = _read_speakers(path, data.get("speakers") or [])
    for section in ("claims", "appearances", "relations"):
        entries = data.get(section) or []
        if not isinstance(entries, list):
            raise SeedError(f"{path}: '{section}' must be a list.")
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict):
                raise SeedError(f"{path}: {section}[{index}] must be a mapping.")
        data[section] = entries
    return data


def _key(value, where: str) -> str:
    if not isinstance(value, str) or not value.strip() or "/" in value:
        raise SeedError(f"{where}: a key is a non-empty name without '/'.")
    return value


def _index(parsed: list[dict]):
    """The seeds, source texts and keyed claims of the set, by reference."""
    seeds, texts, claims = {}, {}, {}
    for data in parsed:
        if data["key"] in seeds:
            raise SeedError(
                f"{data['_path']}: key {data['key']!r} is also "
                f"{seeds[data['key']]['_path']}'s."
            )
        seeds[data["key"]] = data
        for source_key, text in data["_texts"].items():
            texts[(data["key"], source_key)] = text
        for index, claim in enumerate(data["claims"]):
            if "key" not in claim:
                continue
            ref = (data["key"], _key(claim["key"], f"{data['_path']}: claims[{index}]"))
            if ref in claims:
                raise SeedError(
                    f"{data['_path']}: claims[{index}]: key {claim['key']!r} is "
                    "used twice."
                )
            claims[ref] = claim
    return seeds, texts, claims


def _reference(data: dict, value, where: str, *, orders=True) -> tuple[str, str]:
    """``name`` (in this seed) or ``seed/name``, as (seed key, name); a
    reference to another seed makes this one load after it (unless not
    ``orders``)."""
    if not isinstance(value, str) or not value.strip():
        raise SeedError(f"{where}: needs a key, or <seed>/<key> for another seed's.")
    seed, _, name = value.rpartition("/")
    if orders and seed and seed != data["key"]:
        data["_needs"].add(seed)
    return (seed or data["key"], name)


def _resolve(texts, spec: dict, data: dict, default_source, where: str):
    if not isinstance(spec, dict) or not isinstance(spec.get("quote"), str):
        raise SeedError(f"{where}: needs a 'quote' (the exact words from the text).")
    source = (
        _reference(data, spec["source"], where) if "source" in spec else default_source
    )
    if source not in texts:
        raise SeedError(f"{where}: unknown source {spec.get('source')!r}.")
    text, quote = texts[source], normalize_text(spec["quote"])
    occurrence = spec.get("occurrence")
    if occurrence is None and count_occurrences(text, quote) > 1:
        raise SeedError(
            f"{where}: {quote!r} occurs {count_occurrences(text, quote)} times in "
            f"{'/'.join(source)}; say which with 'occurrence' (counted from 1)."
        )
    try:
        selector = find_quote(text, quote, occurrence or 1)
    except AnchorError as error:
        raise SeedError(f"{where}: {error.field} {error.message}") from None
    return ResolvedAnchor(*source, selector.start, selector.end, selector.exact)


def _resolve_spans(specs, texts, data: dict, default_source, where: str) -> list:
    """``(anchor, role)`` for each span entry, the role checked."""
    if not isinstance(specs, list) or not specs:
        raise SeedError(f"{where}: needs at least one span.")
    spans = []
    for i, spec in enumerate(specs):
        anchor = _resolve(texts, spec, data, default_source, f"{where} spans[{i}]")
        role = spec.get("role", SpanRole.CONTENT)
        _check_choice(role, SpanRole, f"{where} spans[{i}] role")
        spans.append((anchor, role))
    return spans


def _check_choice(value, choices, where: str) -> None:
    if value not in choices.values:
        raise SeedError(
            f"{where}: {value!r} is not one of {', '.join(choices.values)}."
        )


def _check_claim(claim: dict, data: dict, texts, where: str) -> None:
    """Check a claim entry and store the offsets of its spans (``_spans``),
    of its evidence (each item's ``_anchor``) and its places (``_places``)."""
    where = f"{where} ({str(claim.get('text', ''))[:40]!r})"
    for key in ("text", "source", "attribution", "kind", "spans"):
        if not claim.get(key):
            raise SeedError(f"{where}: needs '{key}'.")
    source = _reference(data, claim["source"], where)
    if source not in texts:
        raise SeedError(f"{where}: unknown source {claim['source']!r}.")
    _check_choice(claim["attribution"], Attribution, f"{where} attribution")
    _check_choice(claim["kind"], ClaimKind, f"{where} kind")
    _check_dates(claim, where)
    _check_speaker(claim, data, where)
    claim["_source"] = source
    claim["_spans"] = _resolve_spans(claim["spans"], texts, data, source, where)
    claim["_places"] = {anchor.place for anchor, _ in claim["_spans"]}
    for i, move in enumerate(claim.get("ledger") or []):
        if (
            not isinstance(move, dict)
            or not move.get("status")
            or not move.get("rationale")
        ):
            raise SeedError(f"{where} ledger[{i}]: needs 'status' and 'rationale'.")
        _check_choice(move["status"], Status, f"{where} ledger[{i}] status")
    for group, items in evidence_groups(claim):
        for i, item in enumerate(items):
            _check_evidence(item, data, texts, source, f"{where} {group}[{i}]")


def _check_dates(entry: dict, where: str) -> None:
    for name in ("stated_on", "due_on"):
        value = entry.get(name)
        if value is not None and (
            not isinstance(value, datetime.date) or isinstance(value, datetime.datetime)
        ):
            raise SeedError(f"{where}: {name} must be a date (YYYY-MM-DD).")
        if entry.get(f"{name}_precision"):
            _check_choice(
                entry[f"{name}_precision"], DatePrecision, f"{where} {name}_precision"
            )


def _check_speaker(entry: dict, data: dict, where: str) -> None:
    if entry.get("speaker") and entry["speaker"] not in data["_speakers"]:
        raise SeedError(f"{where}: speaker {entry['speaker']!r} is not in 'speakers'.")


def _check_evidence(item, data: dict, texts, default_source, where: str) -> None:
    if not isinstance(item, dict):
        raise SeedError(f"{where}: must be a mapping.")
    _check_choice(item.get("stance"), Stance, f"{where} stance")
    if "quote" in item:
        item["_anchor"] = _resolve(texts, item, data, default_source, where)
        item["_source"] = item["_anchor"].source
        return
    item["_anchor"] = None
    item["_source"] = (
        _reference(data, item["source"], where) if "source" in item else default_source
    )
    if item["_source"] not in texts:
        raise SeedError(f"{where}: unknown source {item.get('source')!r}.")


def evidence_groups(claim: dict) -> list[tuple[str, list]]:
    """The claim's evidence and each ledger move's, named as errors cite them."""
    return [("evidence", claim.get("evidence") or [])] + [
        (f"ledger[{i}].evidence", move.get("evidence") or [])
        for i, move in enumerate(claim.get("ledger") or [])
    ]


def _claim_of(entry: dict, field: str, data: dict, claims, where: str):
    ref = _reference(data, entry.get(field), f"{where} {field}")
    if ref not in claims:
        raise SeedError(
            f"{where}: {field} {entry.get(field)!r} is no claim's key (a claim "
            "here, or <seed>/<key> for another seed's)."
        )
    return ref


def _check_appearance(entry: dict, data: dict, texts, claims, where: str) -> None:
    """An appearance: one content span (plus speaker and cue spans) of a claim
    said again in a source, with the date and speaker it was said with there."""
    ref = _claim_of(entry, "claim", data, claims, where)
    where = f"{where} ({'/'.join(ref)})"
    if "source" not in entry:
        raise SeedError(f"{where}: needs 'source'.")
    source = _reference(data, entry["source"], where)
    if source not in texts:
        raise SeedError(f"{where}: unknown source {entry['source']!r}.")
    _check_dates(entry, where)
    if (entry.get("stated_on") is None) != (not entry.get("stated_on_precision")):
        raise SeedError(f"{where}: give stated_on and stated_on_precision together.")
    _check_speaker(entry, data, where)
    spans = _resolve_spans(entry.get("spans"), texts, data, source, where)
    if [role for _, role in spans].count(SpanRole.CONTENT) != 1:
        raise SeedError(f"{where}: an appearance has exactly one content span.")
    entry["_claim"], entry["_source"], entry["_spans"] = ref, source, spans
    claims[ref]["_places"] |= {anchor.place for anchor, _ in spans}


def _check_relation(entry: dict, data: dict, texts, claims, where: str) -> None:
    """A relation: ``claim`` <kind> ``other``, a rationale, and spans that are
    places of either claim (its own spans or its appearances')."""
    one = _claim_of(entry, "claim", data, claims, where)
    other = _claim_of(entry, "other", data, claims, where)
    where = f"{where} ({'/'.join(one)} {entry.get('kind')} {'/'.join(other)})"
    if one == other:
        raise SeedError(f"{where}: a claim cannot relate to itself.")
    _check_choice(entry.get("kind"), RelationKind, f"{where} kind")
    if not isinstance(entry.get("rationale"), str) or not entry["rationale"].strip():
        raise SeedError(f"{where}: needs a 'rationale'.")
    if not isinstance(entry.get("spans"), list) or not entry["spans"]:
        raise SeedError(f"{where}: needs the spans (of either claim) that show it.")
    anchors = []
    for i, spec in enumerate(entry["spans"]):
        if not isinstance(spec, dict) or "source" not in spec:
            raise SeedError(f"{where} spans[{i}]: needs 'source' and 'quote'.")
        anchor = _resolve(texts, spec, data, None, f"{where} spans[{i}]")
        if anchor.place not in claims[one]["_places"] | claims[other]["_places"]:
            raise SeedError(
                f"{where} spans[{i}]: {anchor.exact[:40]!r} is not a span of either "
                "claim."
            )
        anchors.append(anchor)
    entry["_claim"], entry["_other"], entry["_spans"] = one, other, anchors


def _check_citations(parsed: list[dict]) -> None:
    relations = {
        (r["_claim"], r["kind"], r["_other"])
        for data in parsed
        for r in data["relations"]
    }
    for data in parsed:
        for index, claim in enumerate(data["claims"]):
            for i, move in enumerate(claim.get("ledger") or []):
                where = f"{data['_path']}: claims[{index}] ledger[{i}]"
                _check_cited(move, data, relations, where)


def _check_cited(move: dict, data: dict, relations: set, where: str) -> None:
    """A ledger move's ``relations``: relations of the seed set it cites (their
    spans become its evidence), each written as the relation is (``claim``,
    ``kind``, ``other``). A move that cites one is made once every seed's
    relations are loaded, so it may cite a later seed's without making its
    own seed load after it."""
    cited = move.get("relations") or []
    if not isinstance(cited, list):
        raise SeedError(f"{where} relations: must be a list.")
    move["_relations"] = []
    for i, item in enumerate(cited):
        at = f"{where} relations[{i}]"
        if not isinstance(item, dict):
            raise SeedError(f"{at}: needs 'claim', 'kind' and 'other'.")
        one = _reference(data, item.get("claim"), f"{at} claim", orders=False)
        other = _reference(data, item.get("other"), f"{at} other", orders=False)
        key = (one, item.get("kind"), other)
        if key not in relations:
            raise SeedError(
                f"{at}: no relation of the seeds is {item.get('claim')} "
                f"{item.get('kind')} {item.get('other')}."
            )
        move["_relations"].append(key)


def _read_texts(folder: Path, path: Path, sources: dict) -> dict[str, str]:
    """Each source's text, normalized, by its key in the seed file."""
    texts = {}
    for key, meta in sources.items():
        _key(key, f"{path}: source {key!r}")
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
        speakers[spec["name"]] = {**spec, "_path": path}
    return speakers


def _merged_speakers(parsed: list[dict]) -> dict[str, dict]:
    """One entry per speaker name across the set: seeds that name the same
    speaker must agree on what they both say of it; aliases add up."""
    merged: dict[str, dict] = {}
    for data in parsed:
        for name, spec in data["_speakers"].items():
            into = merged.setdefault(name, {"name": name, "_path": spec["_path"]})
            for field in SPEAKER_FIELDS:
                if spec.get(field) and into.get(field, spec[field]) != spec[field]:
                    raise SeedError(
                        f"{spec['_path']}: speaker {name!r}: {field} "
                        f"{spec[field]!r} differs from {into[field]!r} in "
                        f"{into['_path']}."
                    )
                if spec.get(field):
                    into[field] = spec[field]
            into["aliases"] = list(
                dict.fromkeys([*into.get("aliases", []), *spec.get("aliases", [])])
            )
    return merged


def _in_loading_order(parsed: list[dict], seeds: dict) -> list[dict]:
    """The folders in name order, each after the seeds it refers to."""
    ordered, placed = [], set()
    waiting = list(parsed)
    while waiting:
        for data in waiting:
            unknown = data["_needs"] - set(seeds)
            if unknown:
                raise SeedError(
                    f"{data['_path']}: refers to seed {sorted(unknown)[0]!r}, which "
                    "is not in the set being read."
                )
            if data["_needs"] <= placed:
                break
        else:
            names = ", ".join(str(d["_path"]) for d in waiting)
            raise SeedError(f"{names}: these seeds refer to one another in a cycle.")
        waiting.remove(data)
        ordered.append(data)
        placed.add(data["key"])
    return ordered

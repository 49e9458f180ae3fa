"""Restore an archive into an empty database, in one transaction.

The rows go in with every database guard live — each source text re-hashed,
each anchor verified against its text, the ledger chain, verdicts with
evidence (checked at commit) — so a restored database has passed the checks
a live write passes. Only the change feed's transaction-id stamp is held back,
and only when the archived ids can be kept (:func:`_prepare_feed`). If
anything fails, the transaction rolls back and the database stays empty.
"""

import functools
import itertools
import os
from dataclasses import dataclass, field
from importlib import import_module

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction

from .archive import (
    CONTENT_TYPES,
    PERMISSIONS,
    SEARCH,
    TOKENS,
    ArchiveReader,
    BackupError,
    applied_migrations,
    archived_models,
    natural_key_table,
    table_columns,
)

EVENTS = "claims.claimevent"
# The trigger of migration claims 0003 that stamps each event's txid.
FEED_TRIGGER = "claims_claimevent_stamp_txid"
FEED_KEPT = "Change feed: order and cursors kept."
FEED_RESTAMPED = (
    "Change feed: this server's transaction ids are behind the archive's, so "
    "every restored event was stamped with the restore's own. The feed serves "
    "them in event id order, and cursors issued before the restore are void: "
    "feed clients must start again without ?after=."
)
FEED_FROM_SQLITE = (
    "Change feed: the events were stamped with the restore's transaction id "
    "(SQLite keeps none) and keep their id order; a client resuming with a "
    "cursor from the SQLite database is served every event again."
)
FEED_TO_SQLITE = (
    "Change feed: SQLite serves events in id order, PostgreSQL served them in "
    "transaction order: cursors issued before the restore may skip an event, "
    "so feed clients must start again without ?after=."
)


@dataclass
class RestoreResult:
    header: dict
    manifest: dict
    rows: int = 0  # inserted
    # Content types and permissions that ``migrate`` had made here already:
    # matched by natural key, not inserted.
    matched: int = 0
    left_out: int = 0  # rows of the tables in ``skipped``
    feed: str = ""
    skipped: list[str] = field(default_factory=list)
    rebuilt: list[str] = field(default_factory=list)
    occupied: list[str] = field(default_factory=list)


@dataclass
class _Target:
    name: str
    model: type[models.Model] | None  # None: a table this database does not have
    fields: list[models.Field] = field(default_factory=list)
    natural_keys: dict[int, str] = field(default_factory=dict)
    loaders: list | None = None


def restore_backup(
    path: str | os.PathLike, *, dry_run: bool = False, tokens: bool = True
) -> RestoreResult:
    """Load the archive at ``path`` into this empty database.

    The archive is verified first (format, counts, checksums), then checked
    against this database (the same migrations, the same columns); a database
    holding any row of ours is refused. ``dry_run`` stops after the checks,
    writing nothing. ``tokens=False`` leaves out the API tokens.
    """
    try:
        return _restore(path, dry_run=dry_run, tokens=tokens)
    except BackupError as error:
        raise BackupError(f"{error} Nothing was written.") from error


def _restore(path, *, dry_run: bool, tokens: bool) -> RestoreResult:
    reader = ArchiveReader(path).verify()
    plan, rebuild = _plan(reader.header)
    result = RestoreResult(reader.header, reader.manifest)
    result.skipped = [t.name for t in plan if t.model is None]
    if not tokens:
        result.skipped.append(TOKENS)
    if rebuild:
        result.rebuilt.append(SEARCH)
    if dry_run:
        result.occupied = _occupied(plan)
        return result
    try:
        with transaction.atomic():
            _lock(plan)
            occupied = _occupied(plan)
            if occupied:
                raise BackupError(
                    f"the database is not empty (rows in {', '.join(occupied)}): a "
                    "restore goes only into an empty, freshly migrated database; "
                    "it never merges."
                )
            # The role groups that migration claims 0005 made: the archive's
            # own groups replace them.
            Group.objects.filter(name__in=_role_names()).delete()
            result.feed, held_back = _prepare_feed(reader.header, reader.manifest)
            _load(reader, plan, result)
            with connection.cursor() as cursor:
                if held_back:
                    # Run the deferred checks now: ALTER TABLE refuses a table
                    # with checks pending.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    cursor.execute(
                        f"ALTER TABLE claims_claimevent ENABLE TRIGGER {FEED_TRIGGER}"
                    )
                if rebuild:
                    _rebuild_search()
                restored = [t.model for t in plan if t.model is not None]
                for sql in connection.ops.sequence_reset_sql(no_style(), restored):
                    cursor.execute(sql)
    except DatabaseError as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise BackupError(f"the database refused the archive ({reason}).") from error
    finally:
        ContentType.objects.clear_cache()
    if connection.vendor == "postgresql":
        # New rows have no planner statistics until autovacuum comes by: the
        # first queries (verify_provenance: 8 minutes instead of 1 at 20,000
        # claims) would plan as if the tables were empty.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(_tables(plan))}")
    return result


def _plan(header: dict) -> tuple[list[_Target], bool]:
    """Match the archive's tables to this database's; refuse any mismatch."""
    _check_migrations(header)
    ours = {model._meta.label_lower: model for model in archived_models()}
    plan = []
    for table in header["tables"]:
        name, columns = table["name"], table["columns"]
        if name in (CONTENT_TYPES, PERMISSIONS):
            continue
        model = ours.pop(name, None)
        if model is None:
            if name != SEARCH:  # claims.claimsearch exists on PostgreSQL only
                raise BackupError(f"this database has no table {name}.")
            plan.append(_Target(name, None))
            continue
        fields = {f.attname: f for f in table_columns(model)}
        if sorted(columns) != sorted(fields):
            raise BackupError(
                f"table {name}: the archive's columns ({', '.join(columns)}) are "
                f"not this database's ({', '.join(fields)})."
            )
        natural = {columns.index(c): t for c, t in table["natural_keys"].items()}
        for index, column in enumerate(columns):
            if natural.get(index) != natural_key_table(fields[column]):
                raise BackupError(f"table {name}: column {column} is not as archived.")
        plan.append(_Target(name, model, [fields[c] for c in columns], natural))
    rebuild = ours.pop(SEARCH, None) is not None
    if ours:
        raise BackupError(f"the archive has no table {', '.join(sorted(ours))}.")
    return plan, rebuild


def _check_migrations(header: dict) -> None:
    ours, theirs = applied_migrations(), header.get("migrations") or {}
    if ours == theirs:
        return
    if not ours:
        raise BackupError(
            "this database has no migrations applied: run `manage.py migrate` first."
        )
    differences = []
    for app_label in sorted(set(ours) | set(theirs)):
        archived, here = set(theirs.get(app_label, [])), set(ours.get(app_label, []))
        if archived - here:
            differences.append(
                f"{app_label} {', '.join(sorted(archived - here))} only in the archive"
            )
        if here - archived:
            differences.append(
                f"{app_label} {', '.join(sorted(here - archived))} only in this database"
            )
    raise BackupError(
        "the archive was made at other migrations than this database's ("
        + "; ".join(differences)
        + "). Restore with the claimtrack version that made it, into a database "
        "that version migrated, then upgrade."
    )


def _role_names() -> set[str]:
    return set(import_module("claims.migrations.0005_roles").ROLES)


def _occupied(plan: list[_Target]) -> list[str]:
    occupied = []
    for target in plan:
        if target.model is None:
            continue
        rows = target.model._base_manager.all()
        if target.model is Group:
            rows = rows.exclude(name__in=_role_names())
        elif target.model is Group.permissions.through:
            rows = rows.exclude(group__name__in=_role_names())
        if rows.exists():
            occupied.append(target.name)
    return occupied


def _lock(plan: list[_Target]) -> None:
    """Keep other writers out until the restore commits (PostgreSQL; SQLite's
    IMMEDIATE transaction already holds the write lock)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {', '.join(_tables(plan))} IN EXCLUSIVE MODE")


def _tables(plan: list[_Target]) -> list[str]:
    quote = connection.ops.quote_name
    return [quote(t.model._meta.db_table) for t in plan if t.model is not None]


def _prepare_feed(header: dict, manifest: dict) -> tuple[str, bool]:
    """Decide what becomes of the change feed's txids; True if kept verbatim.

    The feed orders events by (txid, id) and serves only transactions older
    than every one still running (claims/api/feed.py). Archived txids can be
    kept only if they are all older than this transaction: then every later
    event sorts after them, and every cursor stays valid. Otherwise (another
    cluster, younger than the archive's; or SQLite, which keeps no txids) the
    trigger stamps each restored event with this transaction's id.
    """
    events = manifest["tables"].get(EVENTS, {}).get("rows", 0)
    from_postgresql = header["vendor"] == "postgresql"
    if not events:
        return FEED_KEPT, False
    if connection.vendor != "postgresql":
        # SQLite orders by id alone; the archived txids are kept, unused.
        return (FEED_TO_SQLITE if from_postgresql else FEED_KEPT), False
    if not from_postgresql:
        # Even txids that once came from PostgreSQL: events written on SQLite
        # since have none, and the feed would never serve them.
        return FEED_FROM_SQLITE, False
    max_txid = manifest.get("max_txid")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()::text::bigint")
        (current,) = cursor.fetchone()
        if max_txid is None or max_txid >= current:
            return FEED_RESTAMPED, False
        cursor.execute(f"ALTER TABLE claims_claimevent DISABLE TRIGGER {FEED_TRIGGER}")
    return FEED_KEPT, True


def _load(reader: ArchiveReader, plan: list[_Target], result: RestoreResult) -> None:
    """Insert the archive's rows, counting them into ``result``: each row is
    inserted, matched to one already here, or left out."""
    targets = {t.name: t for t in plan}
    ids: dict[str, dict[tuple, int]] = {CONTENT_TYPES: {}, PERMISSIONS: {}}
    skip = set(result.skipped)
    with connection.cursor() as cursor:
        for name, batch in reader.batches():
            if name == CONTENT_TYPES:
                created = _match_content_types(batch, ids[CONTENT_TYPES])
            elif name == PERMISSIONS:
                created = _match_permissions(batch, ids)
            elif name in skip:
                result.left_out += len(batch)
                continue
            else:
                result.rows += _insert(cursor, targets[name], batch, ids)
                continue
            result.rows += created
            result.matched += len(batch) - created


def _match_content_types(batch, mapping) -> int:
    """Map the archived content types to this database's; returns how many
    had to be created."""
    existing = {(ct.app_label, ct.model): ct.pk for ct in ContentType.objects.all()}
    created = 0
    for app_label, model in batch:
        pk = existing.get((app_label, model))
        if pk is None:
            pk = ContentType.objects.create(app_label=app_label, model=model).pk
            created += 1
        mapping[(app_label, model)] = pk
    return created


def _match_permissions(batch, ids) -> int:
    existing = {
        (app_label, model, codename): pk
        for app_label, model, codename, pk in Permission.objects.values_list(
            "content_type__app_label", "content_type__model", "codename", "pk"
        )
    }
    created = 0
    for app_label, model, codename, name in batch:
        pk = existing.get((app_label, model, codename))
        if pk is None:
            pk = Permission.objects.create(
                content_type_id=ids[CONTENT_TYPES][(app_label, model)],
                codename=codename,
                name=name,
            ).pk
            created += 1
        ids[PERMISSIONS][(app_label, model, codename)] = pk
    return created


# Columns whose JSON value is already what the database takes; the others
# (dates, JSON, decimals…) go through the field's own conversion.
PLAIN_TYPES = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
    "BooleanField",
    "FloatField",
    "CharField",
    "TextField",
    "SearchVectorField",
}


def _insert(cursor, target: _Target, batch: list, ids: dict) -> int:
    if target.loaders is None:
        loaders = (
            (index, _loader(f, ids.get(target.natural_keys.get(index))))
            for index, f in enumerate(target.fields)
        )
        target.loaders = [(i, load) for i, load in loaders if load is not None]
    width = len(target.fields)
    for row in batch:
        if len(row) != width:
            raise BackupError(f"table {target.name}: a row of {len(row)} values.")
        try:
            for index, load in target.loaders:
                row[index] = load(row[index])
        except (ValidationError, ValueError, TypeError) as error:
            raise BackupError(
                f"table {target.name}: a value this database cannot take ({error})."
            ) from None
    quote = connection.ops.quote_name
    cursor.executemany(
        f"INSERT INTO {quote(target.model._meta.db_table)} "
        f"({', '.join(quote(f.column) for f in target.fields)}) "
        f"VALUES ({', '.join(['%s'] * width)})",
        batch,
    )
    return len(batch)


def _loader(field: models.Field, natural_ids: dict | None):
    """How to turn one archived value into this database's, or None: as is."""
    if natural_ids is not None:
        return functools.partial(_natural_id, natural_ids)
    kind = (field.target_field if field.is_relation else field).get_internal_type()
    if kind in PLAIN_TYPES:
        return None
    return functools.partial(_value, field)


def _value(field: models.Field, value):
    if value is None and field.null:
        return None
    return field.get_db_prep_save(field.to_python(value), connection)


def _natural_id(mapping: dict, key):
    if key is None:
        return None
    try:
        return mapping[tuple(key)]
    except (KeyError, TypeError):
        raise BackupError(f"a reference to {key!r}, which the archive lacks.") from None


def _rebuild_search() -> None:
    from ..models import Claim
    from ..search import refresh_search_documents

    ids = Claim.objects.values_list("pk", flat=True).order_by("pk")
    for chunk in itertools.batched(ids.iterator(chunk_size=1000), 1000):
        refresh_search_documents(list(chunk))

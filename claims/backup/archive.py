"""The backup archive: what goes in, how it is written, how it is verified.

An archive is gzip-compressed JSON lines, the same from SQLite and PostgreSQL:

    {"format": "claimtrack-backup", "version": 1, "created_at": …, "vendor": …,
     "django": …, "migrations": {app: [name, …]}, "tables": [{"name": …,
     "columns": […], "natural_keys": {column: table}}, …]}
    {"table": "contenttypes.contenttype"}
    ["admin", "logentry"]                   one JSON array per row, in key order
    …
    {"table": "auth.user"}
    [1, "pbkdf2_sha256$…", …]
    …
    {"manifest": {"tables": {name: {"rows": n, "sha256": hex}}, "header_sha256":
     hex, "max_txid": n}}

Each table's ``sha256`` is the digest of its row lines, bytes as stored.
Content types and permissions are archived by natural key, and the columns
that point at them hold those keys: ids differ between databases migrated
apart. Every other row keeps its primary key.
"""

import base64
import datetime
import decimal
import gzip
import hashlib
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import django
import orjson
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, router, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Max
from django.utils import timezone
from django.utils.duration import duration_iso_string

FORMAT = "claimtrack-backup"
VERSION = 1
BATCH = 1000
CONTENT_TYPES = "contenttypes.contenttype"
PERMISSIONS = "auth.permission"
TOKENS = "knox.authtoken"
# Derived from the claims: rebuilt when the archive (from SQLite) has none.
SEARCH = "claims.claimsearch"
# Sign-ins are not data: everyone signs in again after a restore.
NOT_ARCHIVED = {"sessions.session", CONTENT_TYPES, PERMISSIONS}


class BackupError(Exception):
    """An archive that cannot be written, read or restored here; nothing changed."""


# --- what is archived -------------------------------------------------------


def archived_models() -> list[type[models.Model]]:
    """Every table this database holds, parents before the rows pointing at them."""
    candidates = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.can_migrate(connection)
        and router.allow_migrate_model(connection.alias, model)
        and model._meta.label_lower not in NOT_ARCHIVED
    ]
    ordered = []
    while candidates:
        # Foreign keys are checked at commit on both databases; the order is for
        # the insert triggers (a span's source must be there to verify it).
        model = next(
            (m for m in candidates if not _parents(m) & (set(candidates) - {m})),
            candidates[0],
        )
        candidates.remove(model)
        ordered.append(model)
    return ordered


def _parents(model) -> set:
    return {f.related_model for f in model._meta.concrete_fields if f.is_relation}


def table_columns(model) -> list[models.Field]:
    return [
        f for f in model._meta.concrete_fields if not getattr(f, "generated", False)
    ]


def natural_key_table(field: models.Field) -> str | None:
    if field.is_relation:
        label = field.related_model._meta.label_lower
        if label in (CONTENT_TYPES, PERMISSIONS):
            return label
    return None


def applied_migrations() -> dict[str, list[str]]:
    applied = MigrationRecorder(connection).applied_migrations()
    result: dict[str, list[str]] = {}
    for app_label, name in sorted(applied):
        result.setdefault(app_label, []).append(name)
    return result


# --- writing ----------------------------------------------------------------


def write_backup(path: str | os.PathLike) -> dict:
    """Write the whole database to ``path`` (a new file); return the manifest.

    One consistent snapshot, read in primary-key order a chunk at a time, so
    memory stays flat whatever the size. The file is created mode 0600 (it holds
    password hashes) and appears under its name only once complete.
    """
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} exists: a backup never overwrites a file.")
    partial = path.with_name(path.name + ".partial")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as error:
        raise BackupError(f"cannot write {partial}: {error.strerror}") from None
    try:
        with open(fd, "wb") as raw:
            with (
                gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6) as out,
                _snapshot(),
            ):
                manifest = _write(out)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return manifest


class _snapshot:
    """Read every table from one snapshot while the application keeps writing."""

    def __enter__(self):
        self.atomic = None
        if connection.in_atomic_block:
            return self  # the caller's transaction is the snapshot
        if connection.vendor == "sqlite":
            # Django begins SQLite transactions IMMEDIATE (the write lock); a
            # deferred read transaction gets WAL's snapshot without blocking writers.
            connection.ensure_connection()
            with connection.cursor() as cursor:
                cursor.execute("BEGIN DEFERRED")
            return self
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
                )
        return self

    def __exit__(self, *exc_info):
        if self.atomic is not None:
            return self.atomic.__exit__(*exc_info)
        if not connection.in_atomic_block and connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("COMMIT")
        return False


@dataclass
class _Table:
    name: str
    columns: list[str]
    rows: Callable[[], Iterator]
    natural_keys: dict[str, str] = field(default_factory=dict)


def _write(out) -> dict:
    content_types = {
        ct.pk: [ct.app_label, ct.model]
        for ct in ContentType.objects.order_by("app_label", "model")
    }
    permissions = {
        p.pk: [*content_types[p.content_type_id], p.codename, p.name]
        for p in Permission.objects.order_by(
            "content_type__app_label", "content_type__model", "codename"
        )
    }
    keys = {
        CONTENT_TYPES: content_types,
        PERMISSIONS: {pk: key[:3] for pk, key in permissions.items()},
    }
    tables = [
        _Table(CONTENT_TYPES, ["app_label", "model"], content_types.values),
        _Table(
            PERMISSIONS, ["app_label", "model", "codename", "name"], permissions.values
        ),
    ]
    for model in archived_models():
        fields = table_columns(model)
        natural = {f.attname: natural_key_table(f) for f in fields}
        natural = {column: table for column, table in natural.items() if table}
        tables.append(
            _Table(
                model._meta.label_lower,
                [f.attname for f in fields],
                _model_rows(model, fields, keys),
                natural,
            )
        )
    header = {
        "format": FORMAT,
        "version": VERSION,
        "created_at": timezone.now().isoformat(),
        "vendor": connection.vendor,
        "django": django.get_version(),
        "migrations": applied_migrations(),
        "tables": [
            {"name": t.name, "columns": t.columns, "natural_keys": t.natural_keys}
            for t in tables
        ],
    }
    line = orjson.dumps(header) + b"\n"
    out.write(line)
    manifest = {
        "tables": {},
        "header_sha256": hashlib.sha256(line).hexdigest(),
        "max_txid": _max_txid(),
    }
    for table in tables:
        out.write(orjson.dumps({"table": table.name}) + b"\n")
        digest, count = hashlib.sha256(), 0
        for row in table.rows():
            line = orjson.dumps(row, default=_json_default) + b"\n"
            digest.update(line)
            out.write(line)
            count += 1
        manifest["tables"][table.name] = {"rows": count, "sha256": digest.hexdigest()}
    out.write(orjson.dumps({"manifest": manifest}) + b"\n")
    return manifest


def _model_rows(model, fields, keys) -> Callable[[], Iterator]:
    natural = [
        (index, keys[table])
        for index, f in enumerate(fields)
        if (table := natural_key_table(f))
    ]

    def rows():
        queryset = (
            model._base_manager.order_by(model._meta.pk.attname)
            .values_list(*[f.attname for f in fields])
            .iterator(chunk_size=BATCH)
        )
        for row in queryset:
            if natural:
                row = list(row)
                for index, mapping in natural:
                    if row[index] is not None:
                        row[index] = mapping[row[index]]
            yield row

    return rows


def _max_txid() -> int | None:
    from ..models import ClaimEvent

    return ClaimEvent.objects.aggregate(txid=Max("txid"))["txid"]


def _json_default(value):
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.timedelta):
        return duration_iso_string(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    raise TypeError(f"cannot archive a {type(value).__name__}")


# --- reading ----------------------------------------------------------------


class ArchiveReader:
    """Reads an archive, verifying its format, counts and checksums.

    :meth:`batches` yields ``(table, rows)`` in the archive's order and raises
    :class:`BackupError` on any defect, at the latest after the last row (the
    checksums can only be compared then): a restore therefore reads the archive
    once to verify it, then again inside its transaction.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.header: dict | None = None
        self.manifest: dict | None = None

    def verify(self) -> "ArchiveReader":
        for _ in self.batches(parse=False):
            pass
        return self

    def batches(self, *, parse: bool = True) -> Iterator[tuple[str, list]]:
        lines = self._lines()
        first = next(lines, b"")
        self.header = header = _read_header(first)
        expected = [table["name"] for table in header["tables"]]
        found, table, manifest = {}, None, None
        for line in lines:
            if line.startswith(b"["):
                if table is None:
                    raise BackupError(f"{self.path}: a row before any table.")
                yield from table.add(line)
                continue
            marker = _loads(line, self.path)
            if table is not None:
                yield from table.finish(found)
            if isinstance(marker, dict) and "table" in marker:
                name = marker["table"]
                if len(found) >= len(expected) or name != expected[len(found)]:
                    raise BackupError(f"{self.path}: unexpected table {name!r}.")
                table = _TableReader(name, parse=parse, path=self.path)
            elif isinstance(marker, dict) and "manifest" in marker:
                manifest = marker["manifest"]
                break
            else:
                raise BackupError(f"{self.path}: a line that is neither row nor table.")
        manifest = _manifest_at_end(manifest, lines, self.path)
        _check_manifest(manifest, first, expected, found, self.path)
        self.manifest = manifest

    def _lines(self) -> Iterator[bytes]:
        try:
            with gzip.open(self.path, "rb") as file:
                yield from file
        except FileNotFoundError:
            raise BackupError(f"{self.path}: no such file.") from None
        except (OSError, EOFError, zlib.error) as error:
            raise BackupError(
                f"{self.path} is not a whole gzip file ({error}): damaged or truncated."
            ) from None


class _TableReader:
    """One table's rows as they are read: counted and digested as stored, and
    parsed into batches if asked."""

    def __init__(self, name: str, *, parse: bool, path: Path):
        self.name, self.parse, self.path = name, parse, path
        self.digest, self.count, self.batch = hashlib.sha256(), 0, []

    def add(self, line: bytes) -> Iterator[tuple[str, list]]:
        """Count and digest one row line; yield the batch once it is full."""
        self.digest.update(line)
        self.count += 1
        if self.parse:
            self.batch.append(_loads(line, self.path))
            if len(self.batch) >= BATCH:
                yield self.name, self.batch
                self.batch = []

    def finish(self, found: dict) -> Iterator[tuple[str, list]]:
        """Yield the last batch and record the table's count and digest."""
        if self.batch:
            yield self.name, self.batch
            self.batch = []
        found[self.name] = {"rows": self.count, "sha256": self.digest.hexdigest()}


def _manifest_at_end(manifest, lines: Iterator[bytes], path):
    """The manifest, once nothing follows it."""
    if manifest is None:
        raise BackupError(f"{path} ends before its manifest: it is truncated.")
    if next(lines, None) is not None:
        raise BackupError(f"{path}: data after the manifest.")
    return manifest


def _loads(line: bytes, path):
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        raise BackupError(f"{path}: a line that is not JSON.") from None


def _read_header(line: bytes) -> dict:
    try:
        header = orjson.loads(line)
    except orjson.JSONDecodeError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError("not a claimtrack backup: its first line is no header.")
    if header.get("version") != VERSION:
        raise BackupError(
            f"archive format version {header.get('version')!r}; this claimtrack "
            f"reads version {VERSION}."
        )
    return header


def _check_manifest(manifest, first_line, expected, found, path) -> None:
    if manifest.get("header_sha256") != hashlib.sha256(first_line).hexdigest():
        raise BackupError(f"{path}: the header does not match its checksum.")
    for name in expected:
        want, got = manifest.get("tables", {}).get(name), found.get(name)
        if got is None:
            raise BackupError(f"{path}: table {name} is missing.")
        if not want or want.get("rows") != got["rows"]:
            raise BackupError(
                f"{path}: table {name} has {got['rows']} rows, the manifest says "
                f"{want and want.get('rows')}."
            )
        if want.get("sha256") != got["sha256"]:
            raise BackupError(
                f"{path}: table {name} does not match its SHA-256: the archive is "
                "damaged or was edited."
            )

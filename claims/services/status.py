"""Move a claim's status (one ledger entry per move) and the deadline sweep."""

import dataclasses
import datetime
import json
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import F, Field
from django.utils import timezone

from .. import notify
from ..models import (
    Claim,
    ClaimEvent,
    DatePrecision,
    EventKind,
    Review,
    Status,
    StatusChange,
)
from ..models.choices import KINDS_WITH_DEADLINE, VERDICTS
from ..models.claim import STATE_FIELDS, claim_state
from ..transitions import move_problem
from .base import (
    EvidenceInput,
    bump_version,
    create_evidence,
    get_system_user,
    record_status,
    save_claim,
)
from .checks import required_text
from .relations import cited_evidence


@transaction.atomic
def change_status(
    *,
    claim: Claim,
    to_status: str,
    rationale: str,
    by: User,
    expected_version: int | None,
    evidence: Sequence[EvidenceInput] = (),
    relations: Sequence[int] = (),
    by_sweep: bool = False,
    today: datetime.date | None = None,
) -> StatusChange:
    """Move a claim's status: one new ledger entry, with evidence for verdicts.

    ``expected_version`` is required from people (``None`` is only for the
    sweep's own re-checked moves); a stale one is refused. Each of
    ``relations`` (ids) cited adds its words as evidence.
    """
    rationale = required_text(rationale, "rationale")
    if expected_version is None and not by_sweep:
        raise ValidationError({"version": "is required to change a status."})
    claim = bump_version(claim, expected_version)
    problem = move_problem(claim.kind, claim.status, to_status, by_sweep=by_sweep)
    if problem:
        raise ValidationError({"status": problem})
    today = today or timezone.localdate()
    if to_status == Status.PENDING and claim.deadline and claim.deadline < today:
        raise ValidationError(
            {
                "status": f"the deadline ({claim.deadline}) has passed, so it cannot be pending."
            }
        )
    evidence = [*evidence, *cited_evidence(claim, relations)]
    limit = settings.CLAIMTRACK_MAX_EVIDENCE_PER_CHANGE
    if len(evidence) > limit:
        raise ValidationError(
            {
                "evidence": f"at most {limit} pieces of evidence per status change "
                "(CLAIMTRACK_MAX_EVIDENCE_PER_CHANGE)."
            }
        )
    if to_status in VERDICTS and not evidence:
        raise ValidationError(
            {
                "evidence": f"a move to {to_status} needs at least one piece of "
                "evidence (or a cited relation)."
            }
        )
    entry = record_status(claim, to_status=to_status, rationale=rationale, by=by)
    for index, item in enumerate(evidence):
        create_evidence(
            claim, item, by=by, prefix=f"evidence.{index}", status_change=entry
        )
    save_claim(
        claim,
        by=by,
        reason=f"status {entry.from_status} → {to_status}",
        event=EventKind.STATUS_CHANGED,
    )
    return entry


@dataclass(frozen=True)
class OverdueMove:
    claim_id: int
    claim_text: str
    deadline: datetime.date
    due_text: str
    moved: bool
    note: str = ""


def _overdue_rationale(claim: "Claim | _Row", today: datetime.date) -> str:
    due_on, deadline = claim.due_on, claim.deadline
    # An overdue claim has a deadline (the sweep's query says so).
    assert due_on is not None
    assert deadline is not None
    precision = DatePrecision(claim.due_on_precision or DatePrecision.DAY)
    words = f' ("{claim.due_text}")' if claim.due_text else ""
    return (
        f"Deadline passed: due by {precision.format(due_on)}{words}, last day "
        f"{DatePrecision.DAY.format(deadline)}; no resolution recorded by "
        f"{DatePrecision.DAY.format(today)}."
    )


def _is_overdue(claim: Claim, today: datetime.date) -> bool:
    return (
        claim.review == Review.ACCEPTED
        and claim.status == Status.PENDING
        and claim.kind in KINDS_WITH_DEADLINE
        and claim.deadline is not None
        and claim.deadline < today
    )


SWEEP_BATCH = 500


class _BatchConflict(Exception):
    """A batch met a claim another writer changed: roll it back, go one by one."""


def overdue_claims(today: datetime.date) -> Iterable[Claim]:
    """Pending predictions and promises whose deadline (at its precision) has passed.

    The candidate ids are read first and each claim fetched as it comes, so the
    sweep never writes to a table while a cursor over it is open.
    """
    for pk in _candidate_ids(today):
        claim = Claim.objects.filter(pk=pk).first()
        if claim is not None and _is_overdue(claim, today):
            yield claim


def _candidate_ids(today: datetime.date) -> list[int]:
    # Served by the partial index claim_pending_deadline_idx.
    return list(
        Claim.objects.past_deadline(today).order_by("id").values_list("pk", flat=True)
    )


def mark_overdue(
    *,
    today: datetime.date | None = None,
    dry_run: bool = False,
    by: User | None = None,
    batch_size: int = SWEEP_BATCH,
    workers: int = 1,
) -> list[OverdueMove]:
    """The deadline sweep: move each overdue pending claim to ``overdue``.

    Claims move in batches of ``batch_size``, each batch one transaction: the
    rows are locked (``SELECT … FOR UPDATE`` re-checks them after any wait, so
    a claim a concurrent writer or sweep moved meanwhile drops out), then every
    claim gets the ledger entry, version, history record and change-feed event
    :func:`change_status` would give it, written in bulk. A crash leaves only
    whole batches, and a rerun finishes the rest. If anything in a batch
    conflicts with another writer, the batch is rolled back and its claims go
    one by one through :func:`change_status`, re-read and moved only if they
    still qualify, so running twice at once moves each claim once. A claim that
    keeps changing under the sweep is reported, not moved; the next sweep
    retries it.

    With ``workers`` above 1 (PostgreSQL, outside a transaction), that many
    threads move batches at once, each on its own connection, so the database
    works on one batch while Python prepares the next: 31 → 18-19 s per 100,000
    claims with 2 on the 2-core machine (docs/PERFORMANCE.md). Batches hold
    disjoint claims, so they never wait on one another; the moves come back in
    claim order whatever the number of workers. Inside a transaction the
    batches run on the caller's connection, as savepoints of its transaction
    (other connections could not see its rows).
    """
    today = today or timezone.localdate()
    ids = _candidate_ids(today)
    if dry_run:
        return [
            OverdueMove(c.pk, c.text, c.deadline, c.due_text, False)
            for chunk in _chunks(ids, batch_size)
            for c in Claim.objects.filter(pk__in=chunk).order_by("pk")
            if _is_overdue(c, today)
        ]
    by = by or get_system_user()
    chunks = list(_chunks(ids, batch_size))
    if workers > 1 and len(chunks) > 1 and _can_use_other_connections():
        batches = _in_threads(_sweep_batch, chunks, today, by, workers=workers)
    else:
        batches = [_sweep_batch(chunk, today, by) for chunk in chunks]
    return [move for batch in batches for move in batch if move is not None]


def _sweep_batch(chunk: list[int], today: datetime.date, by: User) -> list:
    try:
        return _move_batch(chunk, today, by)
    except (_BatchConflict, IntegrityError):
        return [_move_one(pk, today, by) for pk in chunk]


def _can_use_other_connections() -> bool:
    """Batches may run on other connections: PostgreSQL (SQLite has one
    writer at a time), and no transaction open here whose rows they would not
    see."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def _in_threads(function, chunks: list, *args, workers: int) -> list:
    """``[function(chunk, *args) for chunk in chunks]``, ``workers`` chunks at a
    time in a thread pool, each thread on its own database connection (closed
    when the pool is done). The first error stops the chunks not yet begun and
    is raised here."""
    stop = threading.Event()
    # Each thread's connections, closed here once the threads are done with them.
    handles = []

    def remember_connections():
        for alias in connections:
            handle = connections[alias]
            handle.inc_thread_sharing()
            handles.append(handle)

    def run(chunk):
        if stop.is_set():
            return None
        try:
            return function(chunk, *args)
        except BaseException:
            stop.set()
            raise

    try:
        with ThreadPoolExecutor(
            max_workers=min(workers, len(chunks)), initializer=remember_connections
        ) as pool:
            futures = [pool.submit(run, chunk) for chunk in chunks]
        return [future.result() for future in futures]
    finally:
        for handle in handles:
            handle.close()
            handle.dec_thread_sharing()


def _chunks(ids: list[int], size: int):
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


# The claim's columns the change feed's state, the rationale and the result need.
_STATE_COLUMNS = (
    "id",
    # get_field may answer a relation's reverse side; these are all columns.
    *(cast(Field, Claim._meta.get_field(name)).column for name in STATE_FIELDS),
)


class _Row(SimpleNamespace):
    """A claim row with what ``claim_state`` and the rationale read."""

    if TYPE_CHECKING:
        deadline: datetime.date  # the rows are past their deadline
    else:
        deadline = Claim.deadline


@transaction.atomic
def _move_batch(ids: list[int], today: datetime.date, by: User) -> list[OverdueMove]:
    """Move the claims of ``ids`` still overdue, in five statements whatever
    the batch size, on either database: the rows read and locked, then the
    ledger entries, the claims, their history records and change-feed events
    written in bulk, exactly as :func:`change_status` would leave each one
    (held to it by a test). No model instance is built per row: that made the
    sweep several times slower (docs/PERFORMANCE.md).
    """
    claims = [
        _Row(**row)
        for row in Claim.objects.select_for_update()
        .filter(pk__in=ids)
        .past_deadline(today)
        .order_by("pk")
        .values(*_STATE_COLUMNS)
    ]
    if not claims:
        return []
    now = timezone.now()
    entries, events = [], []
    # Every row is pending (the query says so): one transition check per
    # kind, and one rationale per deadline, not one per claim.
    problems = {
        kind: move_problem(kind, Status.PENDING, Status.OVERDUE, by_sweep=True)
        for kind in {claim.kind for claim in claims}
    }
    rationales: dict[tuple, str] = {}
    for claim in claims:
        if problems[claim.kind]:
            raise _BatchConflict(claim.id)
        deadline = (claim.due_on, claim.due_on_precision, claim.due_text)
        rationale = rationales.get(deadline)
        if rationale is None:
            rationale = rationales[deadline] = _overdue_rationale(claim, today)
        claim.status = Status.OVERDUE
        claim.version += 1
        entries.append((claim.id, rationale, claim.version))
        events.append((claim.id, claim.version, claim_state(claim)))
    moved_ids = [claim.id for claim in claims]
    reason = f"status {Status.PENDING} → {Status.OVERDUE}"
    # The ledger first: the database checks that a claim's status is its
    # last entry's, and that each entry follows the one before.
    _insert(
        StatusChange,
        ("claim", "rationale", "claim_version"),
        entries,
        from_status=Status.PENDING,
        to_status=Status.OVERDUE,
        changed_at=now,
        changed_by=by.pk,
    )
    moved = Claim.objects.filter(pk__in=moved_ids, status=Status.PENDING).update(
        status=Status.OVERDUE, version=F("version") + 1, updated_at=now
    )
    if moved != len(claims):
        raise _BatchConflict("a claim changed under the batch")
    # The history records copy the claims as just written.
    history = Claim.history.model._meta
    own = [
        f.column for f in history.concrete_fields if not f.name.startswith("history_")
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {history.db_table} ({', '.join(own)}, history_date, "
            "history_change_reason, history_type, history_user_id) "
            f"SELECT {', '.join(own)}, %s, %s, '~', %s FROM {Claim._meta.db_table} "
            f"WHERE id IN ({', '.join(['%s'] * len(moved_ids))}) ORDER BY id",
            [
                history.get_field("history_date").get_db_prep_save(now, connection),
                reason[:100],
                by.pk,
                *moved_ids,
            ],
        )
    _insert(
        ClaimEvent,
        ("claim", "version", "state"),
        events,
        kind=EventKind.STATUS_CHANGED,
        detail=reason,
        actor=by.pk,
        created_at=now,
    )
    # The search document holds no status, so it needs no refresh.
    notify.changed()  # webhooks and watchers hear of the batch at commit
    return [OverdueMove(c.id, c.text, c.deadline, c.due_text, True) for c in claims]


def _insert(model, fields: tuple[str, ...], rows: list[tuple], **same) -> None:
    """INSERT ``rows`` (values of ``fields``) into ``model``'s table in one
    statement, each row with the values of ``same`` too.

    The rows travel as one JSON array that the database unpacks: a
    placeholder per value, or a statement per row, made the sweep at least
    twice as slow (docs/PERFORMANCE.md)."""
    meta = model._meta
    columns = [meta.get_field(name).column for name in (*fields, *same)]
    if connection.vendor == "postgresql":
        values = [
            f"(r.value->>{i})::{meta.get_field(name).db_type(connection)}"
            for i, name in enumerate(fields)
        ]
        source = "jsonb_array_elements(%s::jsonb) WITH ORDINALITY AS r(value, n)"
        order = "r.n"
    else:  # SQLite's JSON functions
        values = [f"json_extract(r.value, '$[{i}]')" for i in range(len(fields))]
        source = "json_each(%s) AS r"
        order = "r.key"
    constants = [
        meta.get_field(name).get_db_prep_save(value, connection)
        for name, value in same.items()
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {meta.db_table} ({', '.join(columns)}) "
            f"SELECT {', '.join(values + ['%s'] * len(same))} "
            f"FROM {source} ORDER BY {order}",
            [*constants, json.dumps(rows)],
        )


def _move_one(pk: int, today: datetime.date, by: User) -> OverdueMove | None:
    """One claim through :func:`change_status`, re-read after a lost race."""
    claim = Claim.objects.filter(pk=pk).first()
    if claim is None or not _is_overdue(claim, today):
        return None
    move = OverdueMove(claim.pk, claim.text, claim.deadline, claim.due_text, False)
    for _attempt in range(3):
        try:
            change_status(
                claim=claim,
                to_status=Status.OVERDUE,
                rationale=_overdue_rationale(claim, today),
                by=by,
                expected_version=claim.version,
                by_sweep=True,
                today=today,
            )
        except ValidationError as error:
            if "version" not in getattr(error, "error_dict", {}):
                raise
            claim = Claim.objects.filter(pk=claim.pk).first()
            if claim is None or not _is_overdue(claim, today):
                return None  # someone else resolved or moved it meanwhile
            continue
        return dataclasses.replace(move, moved=True)
    return dataclasses.replace(
        move, note="changed by others during the sweep; retried next time"
    )

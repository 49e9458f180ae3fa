"""Background jobs: fetching a page into a source, fetching a source's page
again, and proposing claims from a source (docs/SOURCES.md).

A ``Job`` row is what the asker reads (``GET /api/v1/jobs/{id}/``); the task
framework (``django.tasks``; ``CLAIMTRACK_TASKS``) runs ``run_job``. With the
database backend the task is queued once the job is committed and
``manage.py db_worker`` runs it; a failure that may pass (a timeout, a refused
connection) is tried again later, with backoff and jitter, then shown as
failed. Otherwise it runs at once, in the request, once. Every write a job
makes is whole: a source with its snapshot in one transaction, a source's
proposed claims in another, and a rerun proposes only what is missing.
"""

import datetime
import random
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.utils import timezone

from sources.models import Source
from sources.web import fetch_source, refetch_source

from .models import Job, JobKind, JobState
from .services.proposals import propose_claims

# Refusals that may not recur (sources/fetching.py's reasons).
PASSING = frozenset({"timeout", "connection"})
FIRST_RETRY_SECONDS = 30


def start_fetch(*, url: str, by: User, **options) -> Job:
    """A job that fetches ``url`` into a source (``fetch_source``'s options:
    title, kind, published_on, publisher, language; and propose_claims,
    min_confidence)."""
    params = {"url": url, **options}
    if isinstance(params.get("published_on"), datetime.date):
        params["published_on"] = params["published_on"].isoformat()
    return _start(Job.objects.create(kind=JobKind.FETCH, params=params, created_by=by))


def start_proposals(*, source: Source, by: User, min_confidence: float = 0.0) -> Job:
    params = {"source": source.pk, "min_confidence": min_confidence}
    return _start(
        Job.objects.create(kind=JobKind.PROPOSE, params=params, created_by=by)
    )


def start_refetch(*, source: Source, by: User) -> Job:
    """A job that fetches ``source``'s page again (``refetch_source``)."""
    params = {"source": source.pk}
    return _start(
        Job.objects.create(kind=JobKind.REFETCH, params=params, created_by=by)
    )


def _start(job: Job) -> Job:
    if settings.CLAIMTRACK_TASKS == "database":
        job_id = str(job.pk)
        transaction.on_commit(lambda: run_job.enqueue(job_id))
        return job
    run_job.enqueue(str(job.pk))
    job.refresh_from_db()
    return job


@task()
def run_job(job_id: str) -> None:
    job = Job.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or job.state in (JobState.SUCCEEDED, JobState.FAILED):
        return  # delivered twice: done already
    Job.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING,
        attempts=F("attempts") + 1,
        progress="running",
        updated_at=timezone.now(),
    )
    job.refresh_from_db()
    try:
        result = _HANDLERS[job.kind](job)
    except ValidationError as error:
        if not _retried(job, error):
            _finish(job, JobState.FAILED, error=_messages(error), progress="failed")
        return
    except Exception:
        _finish(
            job,
            JobState.FAILED,
            error={"job": ["an internal error stopped it; the desk has the details."]},
            progress="failed",
        )
        raise  # the task framework keeps the traceback
    _finish(job, JobState.SUCCEEDED, result=result, progress="done")


def _fetch(job: Job) -> dict:
    params = dict(job.params)
    published = params.get("published_on")
    fetched = fetch_source(
        params["url"],
        by=job.created_by,
        title=params.get("title", ""),
        kind=params.get("kind", ""),
        published_on=datetime.date.fromisoformat(published) if published else None,
        publisher=params.get("publisher", ""),
        language=params.get("language", ""),
    )
    result: dict[str, object] = {
        "source": fetched.source.pk,
        "created": fetched.created,
        "snapshot": fetched.snapshot.pk,
        "proposals": None,
    }
    if params.get("propose_claims"):
        _progress(job, f"fetched into source {fetched.source.pk}; proposing claims")
        result["proposals"] = _proposals(fetched.source, params)
    return result


def _propose(job: Job) -> dict:
    source = _source(job)
    return {"source": source.pk, "proposals": _proposals(source, job.params)}


def _refetch(job: Job) -> dict:
    source = _source(job)
    refetched = refetch_source(source, by=job.created_by)
    return {
        "source": source.pk,
        "changed": refetched.snapshot is not None,
        "revised": refetched.revised,
        "revision": refetched.source.pk if refetched.revised else None,
    }


def _source(job: Job) -> Source:
    source = Source.objects.filter(pk=job.params["source"]).first()
    if source is None:
        raise ValidationError({"source": f"source {job.params['source']} is gone."})
    return source


def _proposals(source: Source, params: dict) -> dict:
    run = propose_claims(
        source=source, min_confidence=params.get("min_confidence", 0.0)
    )
    return {"created": [claim.pk for claim in run.created], "skipped": len(run.skipped)}


_HANDLERS: dict[str, Callable[[Job], dict]] = {
    JobKind.FETCH: _fetch,
    JobKind.PROPOSE: _propose,
    JobKind.REFETCH: _refetch,
}


def _retried(job: Job, error: ValidationError) -> bool:
    """Queued again if the failure may pass and attempts remain: after 30 s,
    then four times longer each time, give or take a fifth."""
    errors = error.error_dict.values() if hasattr(error, "error_dict") else []
    codes = {problem.code for problems in errors for problem in problems}
    if (
        settings.CLAIMTRACK_TASKS != "database"
        or not codes & PASSING
        or job.attempts >= settings.CLAIMTRACK_JOB_ATTEMPTS
    ):
        return False
    delay = FIRST_RETRY_SECONDS * 4 ** (job.attempts - 1) * random.uniform(0.8, 1.2)
    when = timezone.now() + datetime.timedelta(seconds=delay)
    _finish(
        job,
        JobState.QUEUED,
        error=_messages(error),
        progress=f"attempt {job.attempts} failed; trying again at {when:%H:%M:%S} UTC",
    )
    job_id = str(job.pk)
    transaction.on_commit(lambda: run_job.using(run_after=when).enqueue(job_id))
    return True


def _messages(error: ValidationError) -> dict:
    return (
        error.message_dict if hasattr(error, "error_dict") else {"job": error.messages}
    )


def _progress(job: Job, text: str) -> None:
    Job.objects.filter(pk=job.pk).update(progress=text, updated_at=timezone.now())


def _finish(job: Job, state: str, **fields) -> None:
    Job.objects.filter(pk=job.pk).update(
        state=state, updated_at=timezone.now(), **fields
    )

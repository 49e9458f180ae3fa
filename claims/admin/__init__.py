"""The review desk: the Django admin where reviewers and contributors work.

- ``claim``: the claim list and the claim page (spans in their text, ledger);
  ``claim_views`` its own pages: accept / reject / accept and next, the status
  form, proposing a claim from a selection; ``relate`` relating it to
  another claim and withdrawing a relation; ``forms`` their forms.
- ``desk``: what the claim lists share: scoping, permissions, bulk actions.
- ``queues``: the review queue and the deadlines view.
- ``speaker``: speakers, with the merge action.
- ``provenance``: spans, the ledger and evidence, read-only (reviewers
  withdraw accepted spans and evidence there).
- ``additions``: the queues of spans and evidence proposed for accepted claims.
- ``orphans``: spans a revision of their source lost.
- ``source_page``: the source admin of ``sources``, extended with the claims
  highlighted in the text and proposing claims from it.

Every write goes through ``claims.services``.
"""

from django.contrib import admin
from django_tasks_db.models import DBTaskResult

# Imported for their @admin.register.
from . import (  # noqa: F401
    additions,
    claim,
    jobs,
    orphans,
    provenance,
    queues,
    source_page,
    speaker,
    watches,
    webhooks,
)

# The task framework's own rows are the worker's business: the desk reads the
# jobs (claims.Job, admin/jobs.py) instead.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)

# The index opens with what waits for a reviewer (claims/templatetags/desk.py).
admin.site.index_template = "admin/claims/desk_index.html"
# The lists need the width (with the filters beside them, 1280 px held only two
# or three columns); the index and the breadcrumbs lead everywhere.
admin.site.enable_nav_sidebar = False

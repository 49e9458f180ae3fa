"""Who may read, review and write what, and the review vocabulary.

The roles of DESIGN.md ("Roles"), each rule defined once: the reviewer role
(``is_reviewer``: sees every claim and addition, accepts and rejects), who may
move a status (``can_move_status``), which permission each API write needs
(``WRITE_PERMISSIONS``), and the four-eyes rule, shared by everything a
reviewer decides on: claims, their spans and evidence, a source's revision
link. It lives here, in the lowest app, so that sources, claims, the admin
and the API all use this one copy. The permissions are named as strings:
sources never imports claims."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

# The reviewer role's permissions (migration claims 0005_roles gives them to
# the reviewer group).
REVIEW_PERMISSION = "claims.review_claim"
MOVE_STATUS_PERMISSION = "claims.change_claim_status"

# Which permission each API write needs, by the view's (resource, action):
# contributors add sources, propose claims, add spans and evidence; reviewers
# also edit, review and move statuses. Groups of these names carry them
# (migration claims 0004_roles).
WRITE_PERMISSIONS = {
    ("source", "create"): "sources.add_source",
    ("source", "revision"): "sources.add_source",
    ("source", "revision_review"): REVIEW_PERMISSION,
    ("claim", "create"): "claims.add_claim",
    ("claim", "partial_update"): "claims.change_claim",
    ("claim", "review"): REVIEW_PERMISSION,
    ("claim", "status"): MOVE_STATUS_PERMISSION,
    ("claim", "spans"): "claims.add_span",
    ("claim", "evidence"): "claims.add_evidence",
    ("claim", "review_span"): REVIEW_PERMISSION,
    ("claim", "review_evidence"): REVIEW_PERMISSION,
    ("claim", "withdraw_span"): REVIEW_PERMISSION,
    ("claim", "withdraw_evidence"): REVIEW_PERMISSION,
    ("claim", "not_a_repeat"): REVIEW_PERMISSION,
    ("claim", "relations"): REVIEW_PERMISSION,
    # Webhooks: anyone with a role registers their own (docs/NOTIFICATIONS.md).
    ("webhook", "create"): "claims.add_claim",
    ("webhook", "partial_update"): "claims.add_claim",
    ("webhook", "destroy"): "claims.add_claim",
    ("webhook", "replay"): "claims.add_claim",
    ("webhook", "resend"): "claims.add_claim",
}


def is_reviewer(user) -> bool:
    """Whether ``user`` is a reviewer (or a superuser): sees every claim and
    addition, and may accept and reject proposals. The one definition of the
    role, for every app and surface.

    Not ``is_staff``: Django requires it of everyone who logs in to the admin,
    contributors included, so it is no role (the groups are)."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_perm(REVIEW_PERMISSION))
    )


def reviewer_accounts(users):
    """``is_reviewer`` in SQL, for many at once (the mailers): the active
    superusers and holders of the review permission among ``users``, a User
    queryset. tests/test_watching.py holds the two to the same answer."""
    app, codename = REVIEW_PERMISSION.split(".")
    held = {
        "permissions__codename": codename,
        "permissions__content_type__app_label": app,
    }
    return (
        users.filter(is_active=True)
        .filter(
            models.Q(is_superuser=True)
            | models.Q(**{f"groups__{key}": value for key, value in held.items()})
            | models.Q(**{f"user_{key}": value for key, value in held.items()})
        )
        .distinct()
    )


def can_move_status(user) -> bool:
    """Whether ``user`` may move a claim's status (the admin's status form;
    the API asks ``WRITE_PERMISSIONS``, the same permission)."""
    return bool(
        user.is_active and (user.is_superuser or user.has_perm(MOVE_STATUS_PERMISSION))
    )


class Review(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


def four_eyes_problem(*, reviewer, proposed_by_id: int | None) -> str:
    """Why ``reviewer`` may not decide on a proposal made by ``proposed_by_id``,
    or "" when they may. Nobody reviews their own proposal unless
    ``CLAIMTRACK_FOUR_EYES`` is off (a one-person desk)."""
    if not settings.CLAIMTRACK_FOUR_EYES or proposed_by_id is None:
        return ""
    if reviewer is not None and reviewer.pk == proposed_by_id:
        return (
            "four eyes: you proposed this, so another reviewer must accept or "
            "reject it (CLAIMTRACK_FOUR_EYES)."
        )
    return ""


def decision_target(decision, note) -> tuple[str, str]:
    """The review state a decision (``accept`` or ``reject``) leads to, and
    its note, cleaned; a rejection needs a note saying why. Every review
    service reads a decision through this, so all answer alike."""
    targets = {"accept": Review.ACCEPTED, "reject": Review.REJECTED}
    if not isinstance(decision, str) or decision not in targets:
        raise ValidationError(
            {"decision": f"must be accept or reject, not {decision!r}."}
        )
    if note is None:
        note = ""
    if not isinstance(note, str):
        raise ValidationError({"note": "must be a string."})
    if "\x00" in note:
        raise ValidationError({"note": "must not contain NUL characters."})
    note = note.strip()
    target = targets[decision]
    if target == Review.REJECTED and not note:
        raise ValidationError({"note": "a rejection needs a note saying why."})
    return target, note

from rest_framework.permissions import SAFE_METHODS, BasePermission

# Which permission each write needs (DESIGN.md "Roles"): contributors add
# sources, propose claims, add spans and evidence; reviewers also edit, review
# and move statuses. Groups of these names carry them (migration 0004_roles).
WRITE_PERMISSIONS = {
    ("source", "create"): "sources.add_source",
    ("source", "revision"): "sources.add_source",
    ("source", "revision_review"): "claims.review_claim",
    ("claim", "create"): "claims.add_claim",
    ("claim", "partial_update"): "claims.change_claim",
    ("claim", "review"): "claims.review_claim",
    ("claim", "status"): "claims.change_claim_status",
    ("claim", "spans"): "claims.add_span",
    ("claim", "evidence"): "claims.add_evidence",
    ("claim", "review_span"): "claims.review_claim",
    ("claim", "review_evidence"): "claims.review_claim",
    ("claim", "withdraw_span"): "claims.review_claim",
    ("claim", "withdraw_evidence"): "claims.review_claim",
}


class RolePermission(BasePermission):
    """Reads are open (querysets are scoped by who asks); writes need a role."""

    message = "Your role does not allow this."

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        if not hasattr(view, request.method.lower()):
            return True  # let the view answer 405 Method Not Allowed
        if not (request.user and request.user.is_authenticated):
            return False
        key = (getattr(view, "resource", ""), getattr(view, "action", ""))
        needed = WRITE_PERMISSIONS.get(key)
        return needed is not None and request.user.has_perm(needed)

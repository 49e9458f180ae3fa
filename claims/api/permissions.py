from rest_framework.permissions import SAFE_METHODS, BasePermission

from sources.review import WRITE_PERMISSIONS


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

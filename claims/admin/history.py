"""simple-history's admin views, held to the admin's own rules.

simple-history's object history and "revert" pages ask only for the view
permission: they find the object without ``get_queryset`` (so a contributor
could read the history of another contributor's hidden proposal), and its
revert form saves on POST for anyone who may view (so a contributor could edit
a speaker, a source or a claim). Here both pages show only objects the user may
open, and a revert needs the change permission.
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class GuardedHistoryAdmin(SimpleHistoryAdmin):
    def history_view(self, request, object_id, extra_context=None):
        if self.get_object(request, unquote(object_id)) is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if request.method == "POST" and not self.has_change_permission(request, obj):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

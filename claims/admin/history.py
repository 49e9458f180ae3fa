"""simple-history's admin views, held to the admin's own rules.

simple-history's object history and "revert" pages ask only for the view
permission: they find the object without ``get_queryset`` (so a contributor
could read the history of another contributor's hidden proposal), and its
revert form saves on POST for anyone who may view (so a contributor could edit
a speaker, a source or a claim). Here both pages show only objects the user may
open, and a revert needs the change permission.

A model whose admin sets ``revertible = False`` (claims: their spans, ledger
and review are append-only, so an old version cannot be saved back) offers no
"Revert" at all: its history pages only show, and a POST to one is refused.
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from simple_history.admin import SimpleHistoryAdmin


class GuardedHistoryAdmin(SimpleHistoryAdmin):
    object_history_form_template = "admin/history_form.html"
    revertible = True

    def revert_disabled(self, request, obj=None):
        return not self.revertible or super().revert_disabled(request, obj)

    def history_view(self, request, object_id, extra_context=None):
        if self.get_object(request, unquote(object_id)) is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if request.method == "POST":
            if not self.revertible:
                return HttpResponseNotAllowed(["GET"])
            if not self.has_change_permission(request, obj):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

"""Watching claims, speakers and sources, and one-click unsubscribe
(docs/NOTIFICATIONS.md, "Watch lists and email").

The public pages link here the same way for everyone (they carry no session
state); these pages need a sign-in, except unsubscribe, whose signed token is
the proof. The rules are claims.services.watches'.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from claims.models import MailPreference, Watch
from claims.services import watches
from sources.review import is_reviewer


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def watching(request):
    """Everything the user watches, with a button to stop each; reviewers also
    turn the daily digest on or off here."""
    if request.method == "POST":
        if "digest" in request.POST:
            watches.set_digest(user=request.user, on=request.POST["digest"] == "on")
        elif watches.is_id(request.POST.get("stop", "")):
            found = Watch.objects.filter(
                pk=int(request.POST["stop"]), user=request.user
            ).first()
            if found is not None:
                watches.unwatch(user=request.user, watch=found)
        return redirect("public:watching")
    preference = MailPreference.objects.filter(user=request.user).first()
    return render(
        request,
        "public/watching.html",
        {
            "watches": watches.watch_list(request.user),
            "reviewer": is_reviewer(request.user),
            "digest": preference is None or preference.daily_digest,
            "no_email": not request.user.email,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def watch(request, kind, pk):
    """Watch (or stop watching) one claim, speaker or source."""
    try:
        target = watches.readable_target(request.user, kind, pk)
    except ValidationError:
        return render(request, "public/not_found.html", {"what": kind}, status=404)
    current = Watch.objects.filter(user=request.user, **{kind: target}).first()
    if request.method == "POST":
        if request.POST.get("action") == "stop" and current is not None:
            watches.unwatch(user=request.user, watch=current)
        elif request.POST.get("action") == "watch":
            watches.watch(user=request.user, kind=kind, pk=pk)
        return redirect("public:watch", kind=kind, pk=pk)
    return render(
        request,
        "public/watch.html",
        {
            "kind": kind,
            "target": target,
            "watching": current is not None,
            "no_email": not request.user.email,
        },
    )


# The token is the proof, and a mail client's one-click POST (RFC 8058)
# carries no CSRF token: exempt.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """GET shows what the link stops, with one button; POST (the button, or a
    mail client's List-Unsubscribe-Post) stops it. GET changes nothing: link
    scanners follow links in mail."""
    try:
        user, scope = watches.read_token(token)
    except ValidationError:
        return render(request, "public/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        done = watches.unsubscribe(token=token)
        return render(request, "public/unsubscribe.html", {"done": done})
    return render(
        request, "public/unsubscribe.html", {"stops": watches.describe(user, scope)}
    )

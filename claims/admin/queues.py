"""The review queue and the deadlines: read-only lists of claims (proxy
models) whose rows open the claim page."""

import datetime

from django.contrib import admin
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince, timeuntil

from sources.review import is_reviewer
from sources.text import shorten

from ..extraction import RULES
from ..extraction.worth import NARRATOR_THRESHOLD
from ..models import (
    CandidateDecision,
    DeadlineClaim,
    QueuedClaim,
    RepeatCandidate,
    Review,
    Span,
    SpanRole,
    Status,
)
from ..models.choices import KINDS_WITH_DEADLINE
from ..models.claim import overdue_q
from .decisions import four_eyes_column
from .desk import ReviewDeskMixin
from .lists import AssignedFilter, SourceFilter, SpeakerFilter

DUE_SOON_DAYS = 30
# How many characters of a possible repeat's reasons a queue row shows.
REASONS_SHOWN = 60


class ClaimViewAdmin(ReviewDeskMixin, admin.ModelAdmin):
    """A read-only list of claims (a proxy model) whose rows open the claim
    page; Claim's permissions apply."""

    list_display_links = None

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("claims.view_claim")

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ExtractionFilter(admin.SimpleListFilter):
    """Proposals by how the extractor judged them: bands of confidence and of
    check-worthiness, or those people proposed."""

    title = "extractor"
    parameter_name = "extractor"
    BANDS = {
        "confident": ("at least 0.7 confident", Q(extraction__confidence__gte=0.7)),
        "unsure": ("under 0.5 confident", Q(extraction__confidence__lt=0.5)),
        # Where the extractor draws the line for the narrator's sentences.
        "worthy": (
            f"check-worthy ({NARRATOR_THRESHOLD} or more)",
            Q(extraction__checkworthiness__gte=NARRATOR_THRESHOLD),
        ),
        "unworthy": (
            f"hardly check-worthy (under {NARRATOR_THRESHOLD})",
            Q(extraction__checkworthiness__lt=NARRATOR_THRESHOLD),
        ),
        "people": ("proposed by people", Q(extraction__isnull=True)),
    }

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _) in self.BANDS.items()]

    def queryset(self, request, queryset):
        band = self.BANDS.get(self.value() or "")
        return queryset.filter(band[1]) if band else queryset


class RuleFilter(admin.SimpleListFilter):
    """The extractor rule behind a proposal: the rules' names, not the
    distinct values of the table, which would be a scan of every claim."""

    title = "extractor rule"
    parameter_name = "rule"

    def lookups(self, request, model_admin):
        return [(rule, rule) for rule in RULES]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(extraction__rule=self.value())
        return queryset


@admin.register(QueuedClaim)
class QueueAdmin(ClaimViewAdmin):
    list_title = "Review queue: proposed claims, oldest first"
    list_display = (
        "claim_link",
        "quote",
        "speaker",
        "source",
        "repeat",
        "extractor",
        "age",
    )
    list_filter = (
        SourceFilter,
        SpeakerFilter,
        "kind",
        "attribution",
        ExtractionFilter,
        RuleFilter,
        AssignedFilter,
    )
    search_fields = ("text",)  # through the full-text index: get_search_results
    ordering = ("id",)
    list_per_page = 50

    def get_queryset(self, request):
        content = Span.objects.filter(role=SpanRole.CONTENT).select_related("source")
        return (
            self.visible(request)
            .filter(review=Review.PROPOSED)
            .select_related("speaker", "assigned_to", "extraction")
            .prefetch_related(
                Prefetch("spans", queryset=content.order_by("id"), to_attr="content"),
                Prefetch(
                    "repeat_candidates",
                    queryset=RepeatCandidate.objects.filter(
                        decision=CandidateDecision.OPEN
                    )
                    .exclude(candidate__review=Review.REJECTED)
                    .order_by("-score", "candidate_id"),
                    to_attr="open_candidates",
                ),
            )
        )

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        if not is_reviewer(request.user):
            return columns
        return (*columns, four_eyes_column(request, self.decide, "decide"))

    def decide(self, obj):
        """Accept (back to the queue), close as a repeat of its best candidate,
        or reject (with a note) from the row."""
        review = reverse("admin:claims_claim_review", args=[obj.pk])
        buttons = format_html(
            '<button type="submit" class="button" formaction="{}?version={}" '
            'name="decision" value="accept_from_queue">Accept</button> ',
            review,
            obj.version,
        )
        if obj.open_candidates:
            best = obj.open_candidates[0]
            buttons += format_html(
                '<button type="submit" class="button" formaction="{}?of={}&amp;'
                'version={}" name="from" value="queue">Repeat of #{}</button> ',
                reverse("admin:claims_claim_repeat", args=[obj.pk]),
                best.candidate_id,
                obj.version,
                best.candidate_id,
            )
        return buttons + format_html(
            '<a class="button" href="{}">Reject…</a>',
            reverse("admin:claims_claim_reject", args=[obj.pk]),
        )

    @admin.display(description="possible repeat")
    def repeat(self, obj):
        if not obj.open_candidates:
            return "—"
        best = obj.open_candidates[0]
        # The reasons are cut short to keep the column narrow: the claim page
        # shows them all, beside both quotes.
        reasons = ", ".join(
            r for r in best.reasons if not r.startswith("similar words")
        )
        return format_html(
            'possible repeat of <a href="{}">#{}</a>, {}: {}',
            reverse("admin:claims_claim_change", args=[best.candidate_id]),
            best.candidate_id,
            f"{best.score:.2f}",
            shorten(reasons, REASONS_SHOWN),
        )

    @admin.display(description="sure", ordering="-extraction__confidence")
    def extractor(self, obj):
        """Confidence and check-worthiness; sorting puts the surest first."""
        extraction = getattr(obj, "extraction", None)
        if extraction is None:
            return "—"
        worth = extraction.checkworthiness
        # Two figures, one above the other, keep the column narrow; the title
        # spells them out.
        return format_html(
            '<span title="{} confident, {} check-worthy (rule {})">{}<br>{}</span>',
            f"{extraction.confidence:.2f}",
            "—" if worth is None else f"{worth:.2f}",
            extraction.rule,
            f"{extraction.confidence:.2f}",
            "—" if worth is None else f"{worth:.2f}",
        )

    @admin.display(description="quote")
    def quote(self, obj):
        if not obj.content:
            return "—"
        words = obj.content[0].exact
        return format_html("“{}”", shorten(words, 140))

    @admin.display(description="source")
    def source(self, obj):
        if not obj.content:
            return "—"
        source = obj.content[0].source
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:sources_source_change", args=[source.pk]),
            source,
        )

    @admin.display(description="waiting", ordering="id")
    def age(self, obj):
        return timesince(obj.created_at)


class DeadlineFilter(admin.SimpleListFilter):
    title = "deadline"
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "overdue"),
            ("soon", f"due in the next {DUE_SOON_DAYS} days"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.filter(overdue_q(today))
        if self.value() == "soon":
            return queryset.filter(status=Status.PENDING, due_on__gte=today)
        return queryset


@admin.register(DeadlineClaim)
class DeadlineAdmin(ClaimViewAdmin):
    list_title = f"Deadlines: overdue, and due in the next {DUE_SOON_DAYS} days"
    list_display = ("claim_link", "speaker", "deadline", "status", "when")
    list_filter = (DeadlineFilter, "kind", "review", SpeakerFilter)
    ordering = ("due_on", "id")
    list_per_page = 100

    def get_queryset(self, request):
        today = timezone.localdate()
        horizon = today + datetime.timedelta(days=DUE_SOON_DAYS)
        return (
            self.visible(request)
            .filter(kind__in=KINDS_WITH_DEADLINE, due_on__isnull=False)
            .filter(overdue_q(today) | Q(status=Status.PENDING, due_on__lte=horizon))
            .select_related("speaker")
        )

    @admin.display(description="due", ordering="due_on")
    def deadline(self, obj):
        """The deadline as precise as it is known, with the source's words."""
        if obj.due_text:
            return format_html("{} (“{}”)", obj.due_display, obj.due_text)
        return obj.due_display

    @admin.display(description="when")
    def when(self, obj):
        today = timezone.localdate()
        deadline = obj.deadline
        moment = datetime.datetime.combine(deadline, datetime.time())
        now = datetime.datetime.combine(today, datetime.time())
        if deadline < today:
            return f"overdue by {timesince(moment, now)}"
        if deadline == today:
            return "due today"
        return f"due in {timeuntil(moment, now)}"

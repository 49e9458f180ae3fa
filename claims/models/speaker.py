from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from simple_history.models import HistoricalRecords

from sources.text import bidi_control_problem

from .choices import SpeakerKind

WIKIDATA_ID_PATTERN = r"^Q[1-9][0-9]*$"


class SpeakerQuerySet(models.QuerySet):
    def active(self):
        """Speakers that have not been merged into another."""
        return self.filter(merged_into__isnull=True)


class Speaker(models.Model):
    """Who makes claims: a person or an organization."""

    name = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=16, choices=SpeakerKind.choices, default=SpeakerKind.PERSON
    )
    aliases = models.JSONField(
        default=list,
        blank=True,
        help_text='Other names the sources use, e.g. ["PM Shehbaz", "the prime minister"].',
    )
    description = models.CharField(max_length=300, blank=True)
    wikidata_id = models.CharField(
        "Wikidata id",
        max_length=20,
        blank=True,
        validators=[
            RegexValidator(WIKIDATA_ID_PATTERN, "Enter a Wikidata id like Q42.")
        ],
        help_text="Wikidata item id (Q…), if known.",
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="merged_from",
        help_text="Set when this speaker was merged into another; its claims moved there.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    objects = SpeakerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            # find_or_create_speaker: the active speaker of a name, any case
            # (``name__iexact``, UPPER(name) = UPPER(%s) on PostgreSQL), first
            # by id. Without it, proposing a claim by a new or long-tail
            # speaker read every speaker: 40 ms at 40,000.
            models.Index(
                Upper("name"),
                "id",
                condition=Q(merged_into__isnull=True),
                name="speaker_active_name_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SpeakerKind.values), name="speaker_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(name=""), name="speaker_name_not_empty"
            ),
            models.CheckConstraint(
                condition=Q(wikidata_id="") | Q(wikidata_id__regex=WIKIDATA_ID_PATTERN),
                name="speaker_wikidata_id_format",
            ),
            models.UniqueConstraint(
                fields=["wikidata_id"],
                condition=~Q(wikidata_id=""),
                name="speaker_unique_wikidata_id",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=F("id")), name="speaker_not_merged_into_itself"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if not isinstance(self.aliases, list) or not all(
            isinstance(alias, str) for alias in self.aliases
        ):
            raise ValidationError({"aliases": "must be a list of names (strings)."})
        self.aliases = list(dict.fromkeys(a.strip() for a in self.aliases if a.strip()))
        errors = {}
        for field, values in (("name", [self.name or ""]), ("aliases", self.aliases)):
            problems = [bidi_control_problem(value) for value in values]
            if any(problems):
                errors[field] = next(problem for problem in problems if problem)
        if errors:
            raise ValidationError(errors)

    @property
    def all_names(self) -> list[str]:
        return [self.name, *self.aliases]

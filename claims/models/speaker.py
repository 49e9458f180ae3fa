from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from simple_history.models import HistoricalRecords

from sources.review import is_reviewer
from sources.text import bidi_control_problem, name_key, normalize_name

from .choices import SpeakerKind

WIKIDATA_ID_PATTERN = r"^Q[1-9][0-9]*$"


class SpeakerQuerySet(models.QuerySet):
    def active(self):
        """Speakers that have not been merged into another."""
        return self.filter(merged_into__isnull=True)

    def named(self, name: str):
        """Speakers whose name or an alias looks the same as ``name``: the same
        ``name_key`` (case, spacing, invisible characters and confusable
        letters aside), found through ``SpeakerName``'s index on the key."""
        key = name_key(name)
        if not key:
            return self.none()
        return self.filter(names__key=key)

    def public(self):
        """Speakers with at least one accepted claim: the one definition of a
        public speaker, for the public pages and anonymous API reads alike. A
        name that only proposals or rejected claims carry (an extractor's
        "Local", a look-alike) is not published. The EXISTS reads the partial
        index claim_accepted_speaker_idx (speaker, status) WHERE accepted."""
        from .claim import Claim  # claim.py imports this module

        return self.filter(
            Exists(Claim.objects.accepted().filter(speaker=OuterRef("pk")))
        )

    def visible_to(self, user):
        """The speakers ``user`` may read, by the rule of the claims
        (``ClaimQuerySet.visible_to``): reviewers and superusers all of them;
        a signed-in user the public ones and those of their own proposals;
        anyone else the public ones."""
        from .claim import Claim

        if is_reviewer(user):
            return self
        if user is None or not user.is_authenticated:
            return self.public()
        # Two EXISTS rather than one with an OR, so that each reads its index.
        own = Claim.objects.filter(created_by=user, speaker=OuterRef("pk"))
        accepted = Claim.objects.accepted().filter(speaker=OuterRef("pk"))
        return self.filter(Exists(accepted) | Exists(own))


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
            # The public list of speakers, A–Z, a keyset page at a time
            # (public.queries.speakers_by_name): read in order, never sorted.
            models.Index(
                fields=["name", "id"],
                name="speaker_public_name_idx",
                condition=Q(merged_into__isnull=True),
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

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"name", "aliases"} & set(update_fields):
            self.index_names()

    def clean(self):
        if not isinstance(self.aliases, list) or not all(
            isinstance(alias, str) for alias in self.aliases
        ):
            raise ValidationError({"aliases": "must be a list of names (strings)."})
        self.name = normalize_name(self.name or "")
        if not self.name:
            raise ValidationError({"name": "must contain a visible character."})
        self.aliases = list(
            dict.fromkeys(
                alias
                for alias in map(normalize_name, self.aliases)
                if alias and alias != self.name
            )
        )
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

    def name_rows(self) -> list["SpeakerName"]:
        """This speaker's ``SpeakerName`` rows, unsaved: one per key of its
        name and aliases (the name first, so it wins a shared key)."""
        keys: dict[str, str] = {}
        for name in self.all_names:
            if isinstance(name, str) and (key := name_key(name)):
                keys.setdefault(key, name)
        return [
            SpeakerName(speaker=self, key=key, name=name[:200])
            for key, name in keys.items()
        ]

    def index_names(self) -> None:
        """Bring ``SpeakerName`` in step with the name and aliases: derived rows,
        as a content hash is a derived field, kept here so that every way a
        speaker is saved (the services, the admin and its history "revert",
        the seeds, the factories) keeps them, and each lookup stays one query.
        Bulk loads, which skip ``save()``, write ``name_rows()`` themselves."""
        wanted = {row.key: row for row in self.name_rows()}
        have = dict(self.names.values_list("key", "name"))
        stale = [
            key
            for key, name in have.items()
            if key not in wanted or wanted[key].name != name
        ]
        if stale:
            self.names.filter(key__in=stale).delete()
        fresh = [row for key, row in wanted.items() if have.get(key) != row.name]
        if fresh:
            SpeakerName.objects.bulk_create(fresh)

    def look_alike(self) -> "Speaker | None":
        """Another active speaker whose name or an alias looks the same as this
        one's name (``SpeakerQuerySet.named``), the oldest first; None if none."""
        return (
            Speaker.objects.active()
            .named(self.name or "")
            .exclude(pk=self.pk)
            .order_by("id")
            .first()
        )


def look_alike_message(existing: Speaker) -> str:
    """The refusal of a new name that looks the same as ``existing``'s."""
    return (
        f"looks the same as the existing speaker {existing.name} (id {existing.pk}) "
        "(letters that look alike, case, spacing or invisible characters aside): "
        "use that speaker, or add this spelling to its aliases."
    )


class SpeakerName(models.Model):
    """A speaker's name or alias by its ``name_key``: the index that matches
    a new name to an existing speaker in one indexed query, however many
    speakers there are. Derived from ``Speaker.name`` and ``Speaker.aliases``
    (``Speaker.index_names``); a merged speaker keeps its rows, and the
    speaker it was merged into holds its names as aliases."""

    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(max_length=200, help_text="The name or alias as stored.")
    key = models.TextField(
        help_text="The name's TR39 confusable skeleton, case-folded "
        "(sources.text.name_key)."
    )

    class Meta:
        constraints = [
            # Leads with the key: find_or_create_speaker's lookup.
            models.UniqueConstraint(
                fields=["key", "speaker"], name="speakername_unique_key"
            ),
            models.CheckConstraint(
                condition=~Q(key=""), name="speakername_key_not_empty"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.key})"

import re

from django.db import models
from django.urls import reverse


class Tool(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=80)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("kb:category", args=[self.slug])


PRINTED_LINE_LENGTH = 100


class EntryQuerySet(models.QuerySet):
    def published(self) -> "EntryQuerySet":
        return self.filter(status=Entry.Status.PUBLISHED)


class Entry(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft"
        PUBLISHED = "published"

    class Severity(models.TextChoices):
        ERROR = "error"
        WARNING = "warning"

    # The Markdown sections in the order the entry page shows them.
    SECTIONS = ("meaning", "fix", "verify", "triage", "examples", "background", "prevention")

    tool = models.ForeignKey(Tool, on_delete=models.PROTECT, related_name="entries")
    code = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="entries")
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.ERROR)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    header = models.TextField("error text", blank=True)
    meaning = models.TextField("what this error means", blank=True)
    fix = models.TextField("how to fix it", blank=True)
    verify = models.TextField("how to verify", blank=True)
    triage = models.TextField("manual triage", blank=True)
    examples = models.TextField(blank=True)
    background = models.TextField(blank=True)
    prevention = models.TextField("prevention tips", blank=True)
    quick_fix = models.TextField(
        blank=True, help_text="a command for the diagnosis page; {package}-style placeholders are filled from the log"
    )
    pip_versions = models.CharField(max_length=80, blank=True, help_text="the pip releases that print the header")
    printed_by = models.CharField(
        max_length=80, blank=True, help_text="the program that prints the header when it is not pip (setuptools…)"
    )
    verified_with = models.CharField(max_length=200, blank=True)
    symbols = models.CharField(max_length=400, blank=True, help_text="pip source symbols, space-separated")
    related = models.ManyToManyField("self", blank=True)
    refines = models.ManyToManyField(
        "self",
        blank=True,
        symmetrical=False,
        related_name="refined_by",
        help_text="generic wrapper entries this one is a more specific cause of",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "entries"
        constraints = [
            models.UniqueConstraint(fields=["tool", "code"], name="unique_code_per_tool"),
            models.UniqueConstraint(fields=["tool", "slug"], name="unique_slug_per_tool"),
        ]

    def __str__(self) -> str:
        return f"{self.tool.slug} · {self.code}"

    def get_absolute_url(self) -> str:
        return reverse("kb:entry", args=[self.tool.slug, self.slug])

    @property
    def symbol_list(self) -> list[str]:
        return self.symbols.split()

    @property
    def printed_line(self) -> str:
        """The first sentence pip prints for this error: what people paste into a search engine."""
        first_line = next((line.strip() for line in self.header.splitlines() if line.strip()), "")
        sentence = re.sub(r"\{(\w+)\}", r"<\1>", first_line.split(". ", 1)[0])
        if len(sentence) > PRINTED_LINE_LENGTH:
            sentence = sentence[:PRINTED_LINE_LENGTH].rsplit(" ", 1)[0] + " …"
        return sentence or self.title


class LoadedFile(models.Model):
    """What an entry's file held when ``load_catalogue`` last read it (see ``kb.staff.loading``)."""

    entry = models.OneToOneField(Entry, on_delete=models.CASCADE, related_name="loaded_file")
    content_hash = models.CharField(max_length=64, help_text="hash of the file's content, to skip unchanged files")
    content = models.JSONField(help_text="the file's content as a snapshot: the base when staff changed the entry too")
    revision = models.PositiveIntegerField(
        default=0, help_text="the entry's newest revision when the load last found it in line with its file"
    )

    def __str__(self) -> str:
        return f"{self.entry} as loaded"


class Cause(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="causes")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)

    class Meta:
        ordering = ["entry", "position"]

    def __str__(self) -> str:
        return self.title


class Signature(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="signatures")
    position = models.PositiveIntegerField(default=0)
    pattern = models.TextField()
    is_regex = models.BooleanField(default=False)
    detail = models.TextField(blank=True, help_text="regex run on the lines after the match, for facts")
    only_if_failed = models.BooleanField(default=False, help_text="counts only when the log also shows an error")

    class Meta:
        ordering = ["entry", "position"]

    def __str__(self) -> str:
        return self.pattern[:80]


class SourceReference(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="sources")
    pip_version = models.CharField(max_length=20)
    version_key = models.CharField(max_length=40, help_text="sortable form of pip_version")
    path = models.CharField(max_length=300)
    symbol = models.CharField(max_length=200)
    start_line = models.PositiveIntegerField()
    end_line = models.PositiveIntegerField()
    snippet = models.TextField()

    class Meta:
        ordering = ["entry", "symbol", "-version_key"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "pip_version", "symbol"], name="one_reference_per_release"),
        ]

    def __str__(self) -> str:
        return f"{self.symbol} in pip {self.pip_version}"

    @property
    def url(self) -> str:
        return f"https://github.com/pypa/pip/blob/{self.pip_version}/{self.path}#L{self.start_line}-L{self.end_line}"

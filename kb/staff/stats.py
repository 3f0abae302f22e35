"""How often each entry was the root cause of a diagnosis (one counter per code and day, no logs),
and what readers answered to "Was this helpful?"."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone

from kb.staff.models import Feedback, RootCauseCount


def count_root_cause(code: str) -> None:
    """Add one to today's count for ``code``: one statement (PostgreSQL and SQLite both have
    ON CONFLICT) that inserts the day's row or adds to it, safe when many processes count at once."""
    table = connection.ops.quote_name(RootCauseCount._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (code, day, count) VALUES (%s, %s, 1) "
            f"ON CONFLICT (code, day) DO UPDATE SET count = {table}.count + 1",
            [code, timezone.localdate()],
        )


@dataclass
class CodeTotals:
    code: str
    last_7_days: int
    last_30_days: int


@dataclass
class DayTotals:
    day: date
    total: int
    codes: list[tuple[str, int]]


def totals_per_code(today: date) -> list[CodeTotals]:
    rows = (
        RootCauseCount.objects.filter(day__gt=today - timedelta(days=30))
        .values("code")
        .annotate(last_30=Sum("count"), last_7=Sum("count", filter=Q(day__gt=today - timedelta(days=7))))
        .order_by("-last_30", "code")
    )
    return [CodeTotals(row["code"], row["last_7"] or 0, row["last_30"]) for row in rows]


def totals_per_day(today: date) -> list[DayTotals]:
    days: dict[date, DayTotals] = {}
    rows = RootCauseCount.objects.filter(day__gt=today - timedelta(days=30)).order_by("-day", "-count", "code")
    for row in rows:
        totals = days.setdefault(row.day, DayTotals(row.day, 0, []))
        totals.total += row.count
        totals.codes.append((row.code, row.count))
    return list(days.values())


@dataclass
class HelpfulTotals:
    code: str
    helpful: int
    not_helpful: int


def helpful_per_code(today: date) -> list[HelpfulTotals]:
    """Readers' answers of the last 30 days per entry, on its page and as a diagnosis together."""
    rows = (
        Feedback.objects.filter(created__date__gt=today - timedelta(days=30))
        .values("code")
        .annotate(yes=Count("pk", filter=Q(helpful=True)), no=Count("pk", filter=Q(helpful=False)))
        .order_by("-no", "-yes", "code")
    )
    return [HelpfulTotals(row["code"], row["yes"], row["no"]) for row in rows]

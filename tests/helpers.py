"""Small builders for test data; the real catalogue is loaded with ``load_catalogue``."""

from kb.models import Category, Entry, Signature, SourceReference, Tool
from kb.versions import version_key


def make_entry(code: str = "HASH_MISMATCH", **fields) -> Entry:
    tool, _ = Tool.objects.get_or_create(slug="pip", defaults={"name": "pip"})
    category, _ = Category.objects.get_or_create(slug="hash-checking", defaults={"name": "Hash checking"})
    values = {
        "slug": code.lower().replace("_", "-"),
        "title": f"Title of {code}",
        "summary": f"Summary of {code}.",
        "category": category,
        "status": Entry.Status.PUBLISHED,
        **fields,
    }
    return Entry.objects.create(tool=tool, code=code, **values)


def make_signature(entry: Entry, pattern: str, **fields) -> Signature:
    return Signature.objects.create(entry=entry, pattern=pattern, **fields)


def make_reference(entry: Entry, version: str, symbol: str, start: int, end: int, **fields) -> SourceReference:
    values = {"path": "src/pip/_internal/exceptions.py", "snippet": f"class {symbol}:\n    pass\n", **fields}
    return SourceReference.objects.create(
        entry=entry,
        pip_version=version,
        version_key=version_key(version),
        symbol=symbol,
        start_line=start,
        end_line=end,
        **values,
    )

"""Plain dicts for the JSON API: one function per object, so pages and API agree."""

from django.http import HttpRequest, JsonResponse

from kb.models import Entry, Signature, SourceReference


def error_response(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def source_dict(reference: SourceReference) -> dict:
    return {
        "version": reference.pip_version,
        "path": reference.path,
        "symbol": reference.symbol,
        "start_line": reference.start_line,
        "end_line": reference.end_line,
        "url": reference.url,
    }


def signature_dict(signature: Signature) -> dict:
    """A signature as entry files, revisions and the API spell it."""
    return {
        "pattern": signature.pattern,
        "regex": signature.is_regex,
        "detail": signature.detail,
        "only_if_failed": signature.only_if_failed,
    }


def entry_summary_dict(entry: Entry, request: HttpRequest) -> dict:
    return {
        "code": entry.code,
        "tool": entry.tool.slug,
        "title": entry.title,
        "url": request.build_absolute_uri(entry.get_absolute_url()),
        "updated": entry.updated.isoformat(),
    }


def entry_dict(entry: Entry, request: HttpRequest) -> dict:
    return {
        **entry_summary_dict(entry, request),
        "summary": entry.summary,
        "category": entry.category.slug,
        "severity": entry.severity,
        "header": entry.header,
        "pip_versions": entry.pip_versions,
        "printed_by": entry.printed_by,
        "verified_with": entry.verified_with,
        "sections": {name: getattr(entry, name) for name in Entry.SECTIONS},
        "causes": [{"title": cause.title, "body": cause.body} for cause in entry.causes.all()],
        "signatures": [signature_dict(signature) for signature in entry.signatures.all()],
        "related": [related.code for related in entry.related.all()],
        "refines": [wrapper.code for wrapper in entry.refines.all()],
        "sources": [source_dict(reference) for reference in entry.sources.all()],
    }

import json
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.exceptions import RequestDataTooBig
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import http_date
from django.views import defaults
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import conditional_page, require_http_methods, require_POST, require_safe

from kb import search
from kb.diagnosing import diagnose_log, log_view, report_dict
from kb.diagnosis import LogRejected, LogTooLarge, redact
from kb.diagnosis_links import diagnosis_markdown, may_delete, shareable_report, signed_report, store, unsigned_report
from kb.diagnosis_processes import DiagnosisBusy
from kb.forms import DiagnoseForm, FeedbackForm, SearchForm
from kb.models import Category, Entry
from kb.openapi import openapi_document
from kb.pagecache import cached_for_readers, is_anonymous_reader, reader_cache_headers
from kb.ratelimit import RATE_LIMIT_MESSAGE, over_limit, rate_limited
from kb.rendering import article_html
from kb.serializers import entry_dict, entry_summary_dict, error_response
from kb.staff.models import SharedDiagnosis
from kb.staff.sharing import ShareRefused, record_feedback

SEARCH_LIMIT_MESSAGE = "Too many searches from your address in a short time. Wait a minute and try again."
TOO_LARGE_MESSAGE = "That log is larger than the {limit:,} bytes we accept. Paste the part around the first ERROR line."


def published_entries():
    return Entry.objects.published().select_related("tool", "category")


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    categories = Category.objects.prefetch_related(
        Prefetch("entries", queryset=published_entries(), to_attr="published_entries")
    )
    return render(request, "kb/home.html", {"categories": categories, "form": SearchForm()})


@require_safe
def category(request: HttpRequest, slug: str) -> HttpResponse:
    chosen = get_object_or_404(Category, slug=slug)
    entries = published_entries().filter(category=chosen)
    return render(request, "kb/category.html", {"category": chosen, "entries": entries})


@require_safe
@conditional_page
@reader_cache_headers
@cached_for_readers
def entry(request: HttpRequest, tool: str, slug: str) -> HttpResponse:
    found = Entry.objects.published().filter(tool__slug=tool).select_related("tool", "category")
    shown = found.filter(slug=slug).first()
    if shown is None:
        by_code = get_object_or_404(found, code=slug.upper().replace("-", "_"))
        return redirect(by_code, permanent=True)
    response = render(request, "kb/entry.html", {"entry": shown, "article": article_html(shown)})
    response["Last-Modified"] = http_date(shown.updated.timestamp())
    return response


def search_refused(request: HttpRequest) -> HttpResponse:
    return render(request, "kb/search.html", {"form": SearchForm(), "problem": SEARCH_LIMIT_MESSAGE}, status=429)


@require_safe
@never_cache
@rate_limited("search", refuse=search_refused, limit_setting="KB_SEARCH_RATE_LIMIT", methods=("GET", "HEAD"))
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    if not form.is_valid():
        return render(request, "kb/search.html", {"form": form})
    query = form.cleaned_data["q"]
    if form.secrets_removed:  # keep the secret out of the address bar, history and bookmarks
        return redirect(f"{reverse('kb:search')}?{urlencode({'q': query})}")

    def render_page() -> bytes:
        context = {"form": form, "results": search.search(query), "searched": True}
        return render(request, "kb/search.html", context).content

    if not is_anonymous_reader(request):
        return HttpResponse(render_page())
    return HttpResponse(search.remembered_page(request.build_absolute_uri(), render_page))


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and uptime checks: the process answers, without touching the database."""
    return HttpResponse("ok", content_type="text/plain")


@require_safe
@cache_control(max_age=86400)
def robots_txt(request: HttpRequest) -> HttpResponse:
    sitemap = request.build_absolute_uri("/sitemap.xml")
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /api/", "Disallow: /staff/", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A body Django refused to read for its size (even inside the CSRF check, before any view)
    gets the diagnosis's 413 sentence, never the pasted text back."""
    if not isinstance(exception, RequestDataTooBig):
        return defaults.bad_request(request, exception)
    return too_large(request)


def too_large(request: HttpRequest) -> HttpResponse:
    problem = TOO_LARGE_MESSAGE.format(limit=settings.KB_MAX_LOG_BYTES)
    if request.path.startswith("/api/"):
        return error_response(problem, status=413)
    return diagnose_refusal(request, problem, status=413)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    path, _ = redact(request.path[:2000])  # an address pasted whole may hold a password
    words = " ".join(part for part in path[:200].replace("-", " ").split("/") if part)
    searching = words and not over_limit(request, "search", settings.KB_SEARCH_RATE_LIMIT)
    suggestions = search.search_entries(words, limit=5) if searching else []
    context = {"suggestions": suggestions, "form": SearchForm(), "requested_path": path}
    return render(request, "404.html", context, status=404)


@require_safe
def api_entries(request: HttpRequest) -> JsonResponse:
    entries = published_entries().order_by("tool__slug", "code")
    return JsonResponse({"entries": [entry_summary_dict(entry, request) for entry in entries]})


@require_safe
def api_entry(request: HttpRequest, tool: str, code: str) -> JsonResponse:
    found = (
        published_entries()
        .prefetch_related("causes", "signatures", "sources", "related", "refines")
        .filter(tool__slug=tool, code=code.upper())
        .first()
    )
    if found is None:
        return error_response(f"There is no published entry {code!r} for {tool!r}.", status=404)
    return JsonResponse(entry_dict(found, request))


BUSY_MESSAGE = "The server is busy with other large logs. Try again in a minute."


def busy(response: HttpResponse) -> HttpResponse:
    response["Retry-After"] = "60"
    return response


def log_error_status(error: LogRejected) -> int:
    return 413 if isinstance(error, LogTooLarge) else 400


def diagnose_form(data=None, files=None, initial=None) -> DiagnoseForm:
    return DiagnoseForm(data, files, initial=initial, max_bytes=settings.KB_MAX_LOG_BYTES)


# A real pip log (captured by tests/logs/capture.py) for people who want to try the diagnosis.
EXAMPLE_LOG = Path(settings.BASE_DIR) / "fixtures" / "example_logs" / "psycopg2-pg_config-pip26.3.log"


def empty_diagnose_page(request: HttpRequest) -> dict:
    """The form, holding the example log when it was asked for (works without JavaScript)."""
    if "example" not in request.GET:
        return {"form": diagnose_form()}
    return {"form": diagnose_form(initial={"log": EXAMPLE_LOG.read_text()}), "example_shown": True}


def diagnose_refusal(request: HttpRequest, problem: str, status: int) -> HttpResponse:
    """The empty form under the reason. What was sent is never sent back (a refused log was
    never redacted); the browser puts the paste back into the form itself."""
    return render(request, "kb/diagnose.html", {"form": diagnose_form(), "problem": problem}, status=status)


def diagnose_refused(request: HttpRequest) -> HttpResponse:
    return diagnose_refusal(request, RATE_LIMIT_MESSAGE, status=429)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited("diagnose", refuse=diagnose_refused)
def diagnose_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "kb/diagnose.html", empty_diagnose_page(request))
    try:
        form = diagnose_form(request.POST, request.FILES)
        valid = form.is_valid()
    except RequestDataTooBig:
        return too_large(request)
    if not valid:
        problem = " ".join(message for messages in form.errors.values() for message in messages)
        return diagnose_refusal(request, problem, status=413 if form.has_error("upload", "too_large") else 400)
    try:
        report = diagnose_log(form.log_data(), counted=True)
    except LogRejected as error:
        return diagnose_refusal(request, str(error), status=log_error_status(error))
    except DiagnosisBusy:
        return busy(diagnose_refusal(request, BUSY_MESSAGE, status=503))
    context = {"report": report, "log_lines": log_view(report)} | next_try(form, report) | sharing(report, request)
    if not report.findings:
        context["suggestions"] = search.entries_for_log(report.text)
    return render(request, "kb/diagnose.html", context)


def next_try(form: DiagnoseForm, report) -> dict:
    """The form under the result. When a file was read although text was pasted too, the page
    names the file and the form holds the pasted text (without its secrets, like every log the
    page shows), so neither is silently dropped."""
    unread_paste = form.unread_paste()
    if not unread_paste:
        return log_echo(report.text)
    return log_echo(unread_paste, remove_secrets=True) | {"file_read": form.cleaned_data["upload"].name}


def sharing(report, request: HttpRequest) -> dict:
    """The diagnosis signed for "Copy a link", and as Markdown for an issue tracker."""
    shared = shareable_report(report, request.build_absolute_uri("/"))
    days = settings.KB_SHARED_DIAGNOSIS_DAYS
    return {"signed_report": signed_report(shared), "markdown": diagnosis_markdown(shared), "shared_days": days}


def log_echo(text: str, remove_secrets: bool = False) -> dict:
    """The form for the next try: holding the log again when it is small, and empty (the page
    says so) when sending it back whole would make the page as heavy as the log. Secrets are
    removed only from a text small enough to come back: a large one may be made of them."""
    size = len(text.encode())
    if size > settings.KB_ECHO_LOG_BYTES:
        return {"form": diagnose_form(), "log_not_repeated": size}
    return {"form": diagnose_form({"log": redact(text)[0] if remove_secrets else text})}


@csrf_exempt
@never_cache
@require_POST
@rate_limited("diagnose", refuse=lambda request: error_response(RATE_LIMIT_MESSAGE, status=429))
def api_diagnose(request: HttpRequest) -> JsonResponse:
    try:
        log = api_log(request)
    except RequestDataTooBig:
        return too_large(request)
    except ValueError as error:
        return error_response(str(error), status=400)
    try:
        report = diagnose_log(log, counted=True)
    except LogRejected as error:
        return error_response(str(error), status=log_error_status(error))
    except DiagnosisBusy:
        return busy(error_response(BUSY_MESSAGE, status=503))
    return JsonResponse(report_dict(report, request.build_absolute_uri("/")))


def api_log(request: HttpRequest) -> bytes | str:
    """The log from a raw text body, or from JSON ``{"log": "..."}``."""
    if request.content_type != "application/json":
        return request.body
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ValueError('The body is not valid JSON. Send the log as text/plain, or JSON {"log": "..."}.') from None
    if not isinstance(payload, dict) or not isinstance(payload.get("log"), str):
        raise ValueError('JSON bodies must look like {"log": "the whole log as one string"}.')
    return payload["log"]


def share_refused(request: HttpRequest) -> HttpResponse:
    return render(request, "kb/shared_diagnosis_made.html", {"problem": RATE_LIMIT_MESSAGE}, status=429)


@require_POST
@rate_limited("share-diagnosis", refuse=share_refused)
def share_diagnosis(request: HttpRequest) -> HttpResponse:
    try:
        shared = unsigned_report(request.POST.get("report", ""))
    except signing.BadSignature:
        problem = "This diagnosis can no longer be shared (results can be shared for a day). Diagnose the log again."
        return render(request, "kb/shared_diagnosis_made.html", {"problem": problem}, status=400)
    stored, key = store(shared)
    link = request.build_absolute_uri(stored.get_absolute_url())
    delete_link = request.build_absolute_uri(reverse("kb:delete_shared_diagnosis", args=[stored.token]))
    context = {"stored": stored, "link": link, "delete_link": f"{delete_link}?{urlencode({'key': key})}"}
    return render(request, "kb/shared_diagnosis_made.html", context, status=201)


@require_safe
def shared_diagnosis(request: HttpRequest, token: str) -> HttpResponse:
    stored = get_object_or_404(SharedDiagnosis.objects.live(), token=token)
    context = {"stored": stored, "shared": stored.report, "markdown": diagnosis_markdown(stored.report)}
    return render(request, "kb/shared_diagnosis.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def delete_shared_diagnosis(request: HttpRequest, token: str) -> HttpResponse:
    stored = get_object_or_404(SharedDiagnosis.objects.live(), token=token)
    key = request.POST.get("key") or request.GET.get("key", "")
    if not may_delete(stored, key):
        return render(request, "kb/shared_diagnosis_delete.html", {"wrong_key": True}, status=403)
    if request.method == "POST":
        stored.delete()
        return render(request, "kb/shared_diagnosis_delete.html", {"deleted": True})
    return render(request, "kb/shared_diagnosis_delete.html", {"stored": stored, "key": key})


def feedback_refused(request: HttpRequest) -> HttpResponse:
    problem = "Thanks, but we have had many answers from your address just now. Try again in a minute."
    return render(request, "kb/feedback.html", {"problem": problem}, status=429)


# Entry pages are cached whole for readers, so they cannot carry a per-visitor CSRF token; a
# forged vote is no worse than a real one, and votes are rate-limited per client.
@csrf_exempt
@require_POST
@rate_limited("feedback", refuse=feedback_refused, limit_setting="KB_FEEDBACK_RATE_LIMIT")
def feedback(request: HttpRequest) -> HttpResponse:
    form = FeedbackForm(request.POST)
    if not form.is_valid() or not Entry.objects.published().filter(code=form.cleaned_data["code"]).exists():
        return render(
            request, "kb/feedback.html", {"problem": "That answer did not name one of our pages."}, status=400
        )
    answer = form.cleaned_data
    try:
        record_feedback(answer["code"], answer["place"], answer["helpful"], answer["comment"], answer["counted"])
    except ShareRefused as refusal:
        return render(request, "kb/feedback.html", {"problem": str(refusal)}, status=503)
    follow_up = FeedbackForm(initial={**answer, "helpful": "yes" if answer["helpful"] else "no", "counted": True})
    context = {"answer": answer, "form": follow_up, "entry": Entry.objects.published().get(code=answer["code"])}
    return render(request, "kb/feedback.html", context)


@require_safe
@cache_control(max_age=3600)
def api_openapi(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi_document(request.build_absolute_uri("/")))


@require_safe
def api_docs(request: HttpRequest) -> HttpResponse:
    return render(request, "kb/api.html", {"base_url": request.build_absolute_uri("/").rstrip("/")})


@require_safe
@cache_control(max_age=86400)
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico before reading the page's icon link; the address is looked
    up per request, as the static files' manifest exists only after collectstatic."""
    return redirect(static("kb/favicon.svg"), permanent=True)

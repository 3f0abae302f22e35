from functools import wraps

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kb import search
from kb.diagnosis import LogRejected
from kb.markup_check import MAX_MARKDOWN_CHARS, MarkdownRefused, render_checked
from kb.models import Entry
from kb.ratelimit import RATE_LIMIT_MESSAGE, rate_limited
from kb.releases.newrelease import read_report
from kb.staff import revisions
from kb.staff.diffs import compare
from kb.staff.editor import EditorForms, bound_editor, describe_conflicts, initial_editor, previews, tester_results
from kb.staff.forms import AuditFilterForm, CompareForm, PreviewForm, RejectForm, RestoreForm, ShareLogForm
from kb.staff.loading import waiting_file_changes
from kb.staff.merging import merge_snapshots, same
from kb.staff.models import AuditEvent, Revision, SharedLog
from kb.staff.regressions import check_draft
from kb.staff.sharing import ShareRefused, line_choice_problem, selected_lines, share_log
from kb.staff.snapshots import blank_snapshot
from kb.staff.stats import helpful_per_code, totals_per_code, totals_per_day

EDIT = ("kb.change_entry", "staff.add_revision")
CREATE = ("kb.add_entry", "staff.add_revision")
REVIEW = "staff.publish_revision"
LOG_LINES_PER_PAGE = 500


def staff_only(*permissions: str):
    """Anonymous people are sent to the login page; people without the permissions get 403."""

    def decorator(view):
        guarded = login_required(permission_required(permissions, raise_exception=True)(view))
        return wraps(view)(never_cache(guarded))

    return decorator


class LoginView(auth_views.LoginView):
    """Someone signed in who opens the form goes on to the dashboard; a POST always checks the
    credentials, and first ends the session it came with, so a failed login as someone else never
    leaves the browser acting as the previous person (Django's redirect_authenticated_user would)."""

    template_name = "staff/login.html"
    redirect_authenticated_user = True

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "POST" and request.user.is_authenticated:
            logout(request)
        return super().dispatch(request, *args, **kwargs)


def entry_or_404(tool: str, code: str) -> Entry:
    return get_object_or_404(Entry.objects.select_related("tool", "category"), tool__slug=tool, code=code)


def revision_or_404(tool: str, code: str, number: int, **filters) -> Revision:
    found = Revision.objects.select_related("entry__tool")
    return get_object_or_404(found, entry__tool__slug=tool, entry__code=code, number=number, **filters)


@require_safe
@staff_only("staff.view_revision")
def dashboard(request: HttpRequest) -> HttpResponse:
    waiting = Revision.objects.filter(state=Revision.State.SUBMITTED).select_related("entry__tool", "author")
    entries = Entry.objects.select_related("tool").order_by("tool__slug", "code")
    context = {
        "waiting": waiting,
        "file_changes": waiting_file_changes(),
        "entries": entries,
        "new_logs": SharedLog.objects.waiting().count(),
    }
    return render(request, "staff/dashboard.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_only(*CREATE)
def entry_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        editor = initial_editor(blank_snapshot(), 0, None, prefill_from_shared_log(request, new_entry=True))
        return render_editor(request, editor, None)
    editor = bound_editor(request.POST, None)
    if not editor.is_valid():
        return render_editor(request, editor, None)
    form = editor.entry.cleaned_data
    snapshot = editor.snapshot(form["tool"].slug, form["code"])
    if request.POST.get("action") != "save":
        return render_editor(request, editor, None, **side_panels(request, editor, snapshot))
    report = check_draft(snapshot)
    if report.regressions and not form["save_anyway"]:
        return render_editor(request, editor, None, regressions=report)
    revision = revisions.create_entry(snapshot, request.user, form["message"])
    messages.success(request, f"Created {revision.entry.code} as a draft. Submit it for review when it is ready.")
    return redirect("staff:history", revision.entry.tool.slug, revision.entry.code)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_only(*EDIT)
def entry_edit(request: HttpRequest, tool: str, code: str) -> HttpResponse:
    entry = entry_or_404(tool, code)
    if request.method != "POST":
        snapshot, base = revisions.editable_content(entry)
        editor = initial_editor(snapshot, base, entry.tool, prefill_from_shared_log(request, new_entry=False))
        return render_editor(request, editor, entry)
    editor = bound_editor(request.POST, entry.tool)
    if not editor.is_valid():
        return render_editor(request, editor, entry)
    snapshot = editor.snapshot(tool, code)
    if request.POST.get("action") != "save":
        return render_editor(request, editor, entry, **side_panels(request, editor, snapshot))
    return save_edit(request, entry, editor, snapshot)


def save_edit(request: HttpRequest, entry: Entry, editor: EditorForms, snapshot: dict) -> HttpResponse:
    form = editor.entry.cleaned_data
    newest = revisions.newest_revision(entry)
    if (newest.number if newest else 0) != form["base"]:
        return render_conflict(request, entry, editor, snapshot, newest)
    if same(snapshot, revisions.editable_content(entry)[0]):
        messages.info(request, "Nothing changed, so no revision was saved.")
        return redirect("staff:history", entry.tool.slug, entry.code)
    report = check_draft(snapshot)
    if report.regressions and not form["save_anyway"]:
        return render_editor(request, editor, entry, regressions=report)
    try:
        revision = revisions.save_revision(entry, snapshot, request.user, form["base"], form["message"])
    except revisions.RevisionConflict as conflict:
        return render_conflict(request, entry, editor, snapshot, conflict.newest)
    messages.success(request, f"Saved revision {revision.number} as a draft; readers still see the published text.")
    return redirect("staff:history", entry.tool.slug, entry.code)


def side_panels(request: HttpRequest, editor: EditorForms, snapshot: dict) -> dict:
    """The server-side preview, or the signature tester's results, for the button that was pressed."""
    if request.POST.get("action") == "test":
        return {"tester": tester_results(snapshot, request.POST.get("sample_log", ""))}
    return {"previews": previews(editor)}


def render_conflict(
    request: HttpRequest, entry: Entry, editor: EditorForms, mine: dict, newest: Revision
) -> HttpResponse:
    """The editor again, based on the newest revision, holding the person's version with the
    other person's changes merged in; only the fields both changed are left to decide."""
    form = editor.entry.cleaned_data
    base = revisions.started_from(entry, form["base"])
    merge = merge_snapshots(base.snapshot if base else None, mine, newest.snapshot)
    kept = {"fields": {name: form[name] for name in ("message", "sample_log")}}
    merged_editor = initial_editor(merge.snapshot, newest.number, entry.tool, kept)
    theirs = f"revision {newest.number} by {newest.author or 'the catalogue'}"
    diffs = compare(newest.snapshot, mine, theirs, "your version")
    diffs = [diff for diff in diffs if diff.label in merge.both_changed_labels]
    conflict = {"newest": newest, "merge": merge, "diffs": diffs}
    conflicted = merge.both_changed_names
    describe_conflicts(merged_editor.entry, conflicted)
    return render_editor(request, merged_editor, entry, conflict=conflict, conflicted=conflicted, status=409)


def render_editor(
    request: HttpRequest, editor: EditorForms, entry: Entry | None, status: int = 200, **panels
) -> HttpResponse:
    shown = panels.get("previews", {})
    context = {
        "entry": entry,
        "editor": editor,
        "sections": [(editor.entry[name], shown.get(name)) for name in Entry.SECTIONS],
        "causes": [(form, shown.get(f"cause-{number}")) for number, form in enumerate(editor.causes.forms)],
        **panels,
    }
    return render(request, "staff/edit.html", context, status=status)


def prefill_from_shared_log(request: HttpRequest, new_entry: bool) -> dict:
    """Fields filled from the lines someone selected in a shared log (``?log=ID&lines=N``)."""
    if not request.GET.get("log", "").isdecimal():
        return {}
    shared_log = get_object_or_404(SharedLog, pk=request.GET["log"])
    lines = selected_lines(shared_log, request.GET.getlist("lines"))
    fields = {"sample_log": shared_log.text}
    if new_entry and lines:
        fields["header"] = "\n".join(line.strip() for line in lines)
    signature = {"pattern": lines[0].strip(), "regex": False, "detail": "", "only_if_failed": False} if lines else None
    return {"fields": fields, **({"signature": signature} if signature else {})}


@require_POST
@staff_only("staff.add_revision")
def preview(request: HttpRequest) -> JsonResponse:
    form = PreviewForm(request.POST)
    if not form.is_valid():
        return JsonResponse(
            {"error": f"That text is too long to preview: the limit is {MAX_MARKDOWN_CHARS:,} characters."}, status=400
        )
    try:
        rendered = render_checked({"": form.cleaned_data["text"]})
    except MarkdownRefused as refusal:
        return JsonResponse({"error": f"This text cannot be published: {refusal}"}, status=400)
    return JsonResponse({"html": rendered[""].html, "removed": rendered[""].removed})


@require_safe
@staff_only("staff.view_revision")
def history(request: HttpRequest, tool: str, code: str) -> HttpResponse:
    entry = entry_or_404(tool, code)
    found = entry.revisions.select_related("author", "reviewer", "base")
    newest = found.first()
    live = revisions.live_revision(entry) if entry.status == Entry.Status.PUBLISHED else None
    context = {"entry": entry, "revisions": found, "newest": newest, "live": live, "compare_form": CompareForm()}
    return render(request, "staff/history.html", context)


@require_safe
@staff_only("staff.view_revision")
def compare_revisions(request: HttpRequest, tool: str, code: str) -> HttpResponse:
    entry = entry_or_404(tool, code)
    form = CompareForm(request.GET)
    if not form.is_valid():
        return render(request, "staff/compare.html", {"entry": entry, "form": form}, status=400)
    numbers = [form.cleaned_data["old"], form.cleaned_data["new"]]
    found = {
        revision.number: revision for revision in entry.revisions.filter(number__in=numbers).select_related("author")
    }
    missing = [number for number in numbers if number not in found]
    if missing:
        return render(request, "staff/compare.html", {"entry": entry, "form": form, "missing": missing[0]}, status=404)
    old, new = found[numbers[0]], found[numbers[1]]
    diffs = compare(old.snapshot, new.snapshot, f"revision {old.number}", f"revision {new.number}")
    return render(request, "staff/compare.html", {"entry": entry, "form": form, "old": old, "new": new, "diffs": diffs})


@require_POST
@staff_only("staff.add_revision")
def submit_revision(request: HttpRequest, tool: str, code: str, number: int) -> HttpResponse:
    revision = revision_or_404(tool, code, number, state=Revision.State.DRAFT)
    revisions.submit(revision, request.user)
    messages.success(request, f"Revision {number} is waiting for a reviewer.")
    return redirect("staff:history", tool, code)


@require_safe
@staff_only("staff.view_revision")
def review_revision(request: HttpRequest, tool: str, code: str, number: int) -> HttpResponse:
    """The revision against what readers see now: everything that publishing it would change."""
    revision = revision_or_404(tool, code, number)
    included = revisions.unpublished_since_live(revision)
    live = revisions.live_content(revision.entry)
    context = {
        "entry": revision.entry,
        "revision": revision,
        "diffs": compare(live, revision.snapshot, "live now", f"revision {number}"),
        "unsubmitted": [earlier for earlier in included[:-1] if earlier.state == Revision.State.DRAFT],
        "rejected": [earlier for earlier in included[:-1] if earlier.state == Revision.State.REJECTED],
        "authors": sorted({str(earlier.author) for earlier in included if earlier.author}),
    }
    return render(request, "staff/review.html", context)


@require_POST
@staff_only(REVIEW)
def publish_revision(request: HttpRequest, tool: str, code: str, number: int) -> HttpResponse:
    revision = revision_or_404(tool, code, number)
    try:
        revisions.publish(revision, request.user)
    except revisions.PublishRefused as refusal:
        messages.error(request, f"Not published: {refusal}")
        return redirect("staff:review", tool, code, number)
    messages.success(request, f"Published revision {number}: readers and the diagnosis use it now.")
    return redirect("staff:history", tool, code)


@require_POST
@staff_only(REVIEW)
def reject_revision(request: HttpRequest, tool: str, code: str, number: int) -> HttpResponse:
    revision = revision_or_404(tool, code, number, state=Revision.State.SUBMITTED)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the revision is rejected, so its author can fix it.")
        return redirect("staff:history", tool, code)
    revisions.reject(revision, request.user, form.cleaned_data["comment"])
    messages.success(request, f"Rejected revision {number}.")
    return redirect("staff:history", tool, code)


@require_POST
@staff_only(*EDIT)
def restore_revision(request: HttpRequest, tool: str, code: str, number: int) -> HttpResponse:
    revision = revision_or_404(tool, code, number)
    form = RestoreForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("The restore form lost the revision it was shown with.")
    try:
        restored = revisions.restore(revision, request.user, form.cleaned_data["base"])
    except revisions.RevisionConflict as conflict:
        messages.error(request, f"Not restored: revision {conflict.newest.number} was saved meanwhile. Look again.")
        return redirect("staff:history", tool, code)
    messages.success(request, f"Restored revision {number} as the new draft revision {restored.number}.")
    return redirect("staff:history", tool, code)


@require_safe
@staff_only("staff.view_auditevent")
def audit(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    events = AuditEvent.objects.select_related("actor", "entry__tool", "revision", "shared_log")
    if form.is_valid() and form.cleaned_data["entry"]:
        events = events.filter(entry__code=form.cleaned_data["entry"].strip().upper())
    if form.is_valid() and form.cleaned_data["person"]:
        events = events.filter(actor__username__iexact=form.cleaned_data["person"].strip())
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "staff/audit.html", {"form": form, "page": page})


@require_safe
@staff_only("staff.view_sharedlog")
def log_queue(request: HttpRequest) -> HttpResponse:
    show_all = request.GET.get("show") == "all"
    logs = SharedLog.objects.all() if show_all else SharedLog.objects.waiting()
    page = Paginator(logs.defer("text"), 25).get_page(request.GET.get("page"))
    return render(request, "staff/log_queue.html", {"page": page, "show_all": show_all})


@require_safe
@staff_only("staff.view_sharedlog")
def shared_log(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(SharedLog, pk=pk)
    entries = Entry.objects.select_related("tool").order_by("code")
    lines = Paginator(list(enumerate(found.text.split("\n"), start=1)), LOG_LINES_PER_PAGE)
    page = lines.get_page(request.GET.get("page"))
    context = {"log": found, "page": page, "entries": entries, "likely_code": likely_code(found)}
    return render(request, "staff/shared_log.html", context)


def likely_code(found: SharedLog) -> str:
    """The entry a new signature most likely belongs to: the one we diagnosed, else the one
    the log's error lines find first (as the reader's page suggested)."""
    if found.diagnosed_code:
        return found.diagnosed_code
    hits = search.entries_for_log(found.text)
    return hits[0].entry.code if hits else ""


@require_POST
@staff_only("staff.change_sharedlog")
def set_log_state(request: HttpRequest, pk: int, state: str) -> HttpResponse:
    found = get_object_or_404(SharedLog, pk=pk)
    if revisions.set_log_state(found, state, request.user):
        messages.success(request, f"Marked shared log {pk} {state}.")
    else:
        messages.info(request, f"Shared log {pk} was already {state}; nothing changed.")
    return redirect("staff:log_queue")


def share_refused(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/shared.html", {"problem": RATE_LIMIT_MESSAGE}, status=429)


@never_cache
@require_POST
@rate_limited("share", refuse=share_refused, limit_setting="KB_SHARE_RATE_LIMIT")
def share(request: HttpRequest) -> HttpResponse:
    form = ShareLogForm(request.POST)
    if not form.is_valid():
        return render(request, "staff/shared.html", {"problem": "There was no log to share."}, status=400)
    try:
        share_log(form.cleaned_data["log"], form.cleaned_data["note"], form.cleaned_data["reason"])
    except ShareRefused as refusal:
        return render(request, "staff/shared.html", {"problem": str(refusal)}, status=413)
    except LogRejected as error:
        return render(request, "staff/shared.html", {"problem": str(error)}, status=400)
    return render(request, "staff/shared.html", {})


@require_safe
@staff_only("staff.view_rootcausecount")
def stats(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    titles = dict(Entry.objects.values_list("code", "title"))
    per_code = [(totals, titles.get(totals.code, "")) for totals in totals_per_code(today)]
    helpful = [(totals, titles.get(totals.code, "")) for totals in helpful_per_code(today)]
    context = {"per_code": per_code, "per_day": totals_per_day(today), "helpful": helpful}
    return render(request, "staff/stats.html", context)


@require_safe
@staff_only(*EDIT)
def new_release(request: HttpRequest) -> HttpResponse:
    """What the newest pip release stopped printing of the catalogue's texts, and its new errors."""
    report = read_report()
    entries = {entry.code: entry for entry in Entry.objects.select_related("tool")}
    dropped = [(item, entries.get(item.code)) for item in report.dropped] if report else []
    return render(request, "staff/new_release.html", {"report": report, "dropped": dropped})


@require_safe
@staff_only(*EDIT)
def signature_from_log(request: HttpRequest, pk: int) -> HttpResponse:
    """Open the chosen entry's editor with a new signature from the lines selected in a shared log."""
    tool, _, code = request.GET.get("entry", "").partition("/")
    entry = entry_or_404(tool, code)
    problem = line_choice_problem(get_object_or_404(SharedLog, pk=pk), request.GET.getlist("lines"))
    if problem:
        messages.error(request, problem)
        return redirect("staff:shared_log", pk)
    query = QueryDict(mutable=True)
    query.setlist("lines", request.GET.getlist("lines"))
    query["log"] = str(pk)
    return redirect(reverse("staff:entry_edit", args=[entry.tool.slug, entry.code]) + "?" + query.urlencode())

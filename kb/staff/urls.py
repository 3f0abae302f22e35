from django.contrib.auth import views as auth_views
from django.urls import path

from kb.staff import views
from kb.staff.models import SharedLog

app_name = "staff"

ENTRY = "entries/<slug:tool>/<str:code>/"
REVISION = ENTRY + "revisions/<int:number>/"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("entries/new/", views.entry_new, name="entry_new"),
    path(ENTRY + "edit/", views.entry_edit, name="entry_edit"),
    path(ENTRY + "history/", views.history, name="history"),
    path(ENTRY + "compare/", views.compare_revisions, name="compare"),
    path(REVISION + "submit/", views.submit_revision, name="submit"),
    path(REVISION + "review/", views.review_revision, name="review"),
    path(REVISION + "publish/", views.publish_revision, name="publish"),
    path(REVISION + "reject/", views.reject_revision, name="reject"),
    path(REVISION + "restore/", views.restore_revision, name="restore"),
    path("preview/", views.preview, name="preview"),
    path("audit/", views.audit, name="audit"),
    path("logs/", views.log_queue, name="log_queue"),
    path("logs/share/", views.share, name="share"),
    path("logs/<int:pk>/", views.shared_log, name="shared_log"),
    path("logs/<int:pk>/signature/", views.signature_from_log, name="signature_from_log"),
    path("logs/<int:pk>/triaged/", views.set_log_state, {"state": SharedLog.State.TRIAGED}, name="triage"),
    path("logs/<int:pk>/dismissed/", views.set_log_state, {"state": SharedLog.State.DISMISSED}, name="dismiss"),
    path("stats/", views.stats, name="stats"),
    path("releases/", views.new_release, name="new_release"),
]

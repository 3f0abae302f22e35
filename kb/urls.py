from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from kb import views
from kb.sitemaps import SITEMAPS

handler400 = "kb.views.bad_request"
handler404 = "kb.views.page_not_found"

kb_patterns = [
    path("", views.home, name="home"),
    path("search/", views.search_page, name="search"),
    path("diagnose/", views.diagnose_page, name="diagnose"),
    path("diagnose/share", views.share_diagnosis, name="share_diagnosis"),
    path("diagnosis/<str:token>/", views.shared_diagnosis, name="shared_diagnosis"),
    path("diagnosis/<str:token>/delete/", views.delete_shared_diagnosis, name="delete_shared_diagnosis"),
    path("feedback", views.feedback, name="feedback"),
    path("category/<slug:slug>/", views.category, name="category"),
    path("api/diagnose", views.api_diagnose, name="api_diagnose"),
    path("api/entries", views.api_entries, name="api_entries"),
    path("api/openapi.json", views.api_openapi, name="api_openapi"),
    path("api/", views.api_docs, name="api_docs"),
    path("api/entries/<slug:tool>/<str:code>", views.api_entry, name="api_entry"),
    path("<slug:tool>/<slug:slug>/", views.entry, name="entry"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("staff/", include("kb.staff.urls")),
    path("robots.txt", views.robots_txt, name="robots"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="django.contrib.sitemaps.views.sitemap"),
    path("", include((kb_patterns, "kb"))),
]

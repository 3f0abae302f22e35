from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from kb.models import Category, Entry


class EntrySitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Entry.objects.published().select_related("tool").order_by("code")

    def lastmod(self, entry: Entry):
        return entry.updated


class CategorySitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return Category.objects.all()


class PageSitemap(Sitemap):
    priority = 1.0

    def items(self) -> list[str]:
        return ["kb:home", "kb:diagnose"]

    def location(self, name: str) -> str:
        return reverse(name)


SITEMAPS = {"entries": EntrySitemap, "categories": CategorySitemap, "pages": PageSitemap}

"""Keep derived state in step with the knowledge: the search index and each entry's ``updated``.

An entry's rendered page is cached under a key that includes ``updated``, so touching the entry
whenever one of its parts changes is what drops that cache.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from kb import search
from kb.models import Cause, Entry, Signature, SourceReference
from kb.pagecache import content_changed
from kb.signature_version import bump as signatures_changed


@receiver(post_save, sender=Entry)
def reindex_entry(sender: type, instance: Entry, **kwargs) -> None:
    search.reindex(instance)
    signatures_changed()
    content_changed()


@receiver(post_delete, sender=Entry)
def forget_entry(sender: type, instance: Entry, **kwargs) -> None:
    search.forget(instance.pk)
    signatures_changed()
    content_changed()


@receiver([post_save, post_delete], sender=Signature)
def recompile_matcher(sender: type, instance: Signature, **kwargs) -> None:
    signatures_changed()


@receiver([post_save, post_delete], sender=Cause)
@receiver([post_save, post_delete], sender=Signature)
@receiver([post_save, post_delete], sender=SourceReference)
def touch_parent_entry(sender: type, instance: Cause | Signature | SourceReference, **kwargs) -> None:
    Entry.objects.filter(pk=instance.entry_id).update(updated=timezone.now())
    content_changed()


@receiver(m2m_changed, sender=Entry.related.through)
@receiver(m2m_changed, sender=Entry.refines.through)
def touch_linked_entry(sender: type, instance: Entry, action: str, **kwargs) -> None:
    if action.startswith("post_"):
        Entry.objects.filter(pk=instance.pk).update(updated=timezone.now())
        signatures_changed()
        content_changed()

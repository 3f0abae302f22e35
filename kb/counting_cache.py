"""Django's database cache with counts that concurrent requests cannot lose."""

from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction


class CountingDatabaseCache(DatabaseCache):
    """``incr`` in Django's database cache reads, then writes: two processes counting at once
    both read 4 and both write 5. Here the row is locked by a write before it is read, which
    PostgreSQL and SQLite both hold until the transaction ends."""

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET expires = expires WHERE cache_key = %s",
                [self.make_and_validate_key(key, version)],
            )
            if cursor.rowcount == 0:  # without a locked row, reading and writing would race again
                raise ValueError(f"Key {key!r} not found.")
            return super().incr(key, delta, version)

"""Re-encrypt every encrypted column under the first key of LEARNER_DATA_KEYS."""

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from learners.crypto import encrypted_fields, rotate_token


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted learner column under the first LEARNER_DATA_KEYS key. "
        "Put the new key first and keep the old one after it until this has run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size, **options):
        total = 0
        with transaction.atomic():
            for model, field in encrypted_fields():
                table = connection.ops.quote_name(model._meta.db_table)
                column = connection.ops.quote_name(field.column)
                pk = connection.ops.quote_name(model._meta.pk.column)
                count, last_pk = 0, None
                with connection.cursor() as cursor:
                    # Raw SQL in primary-key order, one batch at a time: tokens are rotated
                    # without building model objects, and memory stays flat on large tables.
                    while True:
                        after = "" if last_pk is None else f"AND {pk} > %s "
                        cursor.execute(
                            f"SELECT {pk}, {column} FROM {table} WHERE {column} IS NOT NULL "
                            f"{after}ORDER BY {pk} LIMIT %s",
                            ([] if last_pk is None else [last_pk]) + [batch_size],
                        )
                        rows = cursor.fetchall()
                        if not rows:
                            break
                        cursor.executemany(
                            f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",
                            [(rotate_token(token), key) for key, token in rows],
                        )
                        count += len(rows)
                        last_pk = rows[-1][0]
                total += count
                self.stdout.write(
                    f"{model._meta.label}.{field.name}: {count} value(s) re-encrypted"
                )
        self.stdout.write(
            self.style.SUCCESS(f"Done: {total} value(s) under the current first key.")
        )

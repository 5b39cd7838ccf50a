"""Drop single-column FK indexes that a composite or prefix index already answers (issue 6: faster bulk import).

tickets_ticket(area_id) and its _like twin: (area_id, received_at) and ticket_area_prefix (area_id
varchar_pattern_ops, identical to the _like twin) serve every lookup; tickets_ticket(category_id):
(category_id, received_at); tickets_timelineevent(ticket_id): the unique (ticket_id, seq). Only the
indexes are dropped (no table rebuild on SQLite, no foreign key re-validation on PostgreSQL).
"""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = [
    # (index, table, column, PostgreSQL-only opclass)
    ("tickets_ticket_area_id_9fdd5afd", "tickets_ticket", "area_id", None),
    ("tickets_ticket_area_id_9fdd5afd_like", "tickets_ticket", "area_id", "varchar_pattern_ops"),
    ("tickets_ticket_category_id_710dbfd0", "tickets_ticket", "category_id", None),
    ("tickets_timelineevent_ticket_id_19b14374", "tickets_timelineevent", "ticket_id", None),
]


def drop(apps, schema_editor):
    for name, _table, _column, _opclass in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def create(apps, schema_editor):
    pg = schema_editor.connection.vendor == "postgresql"
    for name, table, column, opclass in INDEXES:
        if opclass and not pg:
            continue
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}"{" " + opclass if opclass else ""})')


class Migration(migrations.Migration):

    dependencies = [
        ('areas', '0002_prefix_indexes'),
        ('tickets', '0007_standard_channels'),
        ('units', '0002_updated_at'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop, create)],
            state_operations=[
                migrations.AlterField(
                    model_name='ticket',
                    name='area',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, to='areas.area', verbose_name='所属网格'),
                ),
                migrations.AlterField(
                    model_name='ticket',
                    name='category',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, to='units.category', verbose_name='事项分类'),
                ),
                migrations.AlterField(
                    model_name='timelineevent',
                    name='ticket',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='events', to='tickets.ticket', verbose_name='工单'),
                ),
            ],
        ),
    ]

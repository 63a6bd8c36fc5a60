"""The database itself refuses to change audit entries (and, on PostgreSQL, to delete them).

SQLite gets no delete trigger because Django's test runner empties tables with DELETE; there the
hash chain (`audit.verify_audit_chain`) shows a removed entry.
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS supervision_audit_no_update BEFORE UPDATE ON supervision_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries cannot be changed'); END;""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS supervision_audit_no_update;"]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION supervision_audit_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit entries cannot be changed or deleted'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER supervision_audit_no_change BEFORE UPDATE OR DELETE ON supervision_auditentry
       FOR EACH ROW EXECUTE FUNCTION supervision_audit_refuse();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS supervision_audit_no_change ON supervision_auditentry;",
    "DROP FUNCTION IF EXISTS supervision_audit_refuse();",
]


def forward(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    statements = POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]

"""Every organization that existed before publishing gets its standard columns (columns.py)."""

from django.db import migrations


def create(apps, schema_editor):
    from dangjian.publishing.columns import ensure_standard_columns

    Organization = apps.get_model("organizations", "Organization")
    Column = apps.get_model("publishing", "Column")
    organizations = Organization.objects.filter(closed_at__isnull=True).only("pk", "kind")
    ensure_standard_columns(organizations, column_model=Column)


class Migration(migrations.Migration):
    dependencies = [("publishing", "0001_columns_articles_notices")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]

from django.db import migrations

CATEGORIES = [
    ("乡村振兴", "rural-revitalization"),
    ("社会保障", "social-security"),
    ("医疗保障", "medical-security"),
    ("教育", "education"),
    ("就业创业", "employment"),
    ("住房", "housing"),
    ("农业补贴", "agricultural-subsidies"),
    ("养老服务", "elderly-care"),
    ("低保救助", "social-assistance"),
    ("基层治理", "local-governance"),
    ("党的建设", "party-building"),
]


def seed(apps, schema_editor):
    PolicyCategory = apps.get_model("policies", "PolicyCategory")
    for order, (name, slug) in enumerate(CATEGORIES):
        PolicyCategory.objects.get_or_create(slug=slug, defaults={"name": name, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("policies", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

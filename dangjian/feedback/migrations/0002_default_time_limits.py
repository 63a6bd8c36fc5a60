from django.db import migrations

# Working days to answer, per category (PRODUCT.md): enquiries 3, help and suggestions 5, complaints 10.
DEFAULTS = {"consult": 3, "help": 5, "suggestion": 5, "complaint": 10, "praise": 5}


def create_limits(apps, schema_editor):
    TimeLimit = apps.get_model("feedback", "TimeLimit")
    for category, days in DEFAULTS.items():
        TimeLimit.objects.get_or_create(
            category=category,
            defaults={"accept_days": 1, "answer_days": days, "urgent_answer_days": 0, "rating_days": 20},
        )


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]

    operations = [migrations.RunPython(create_limits, migrations.RunPython.noop)]

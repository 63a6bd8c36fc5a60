"""Notifications move to the notifications app: every row is copied, its text kept as the legacy kind
"notifications.text" with params {"text": ...}, its case kept as the target; then the old table goes."""

from django.db import migrations

LEGACY_KIND = "notifications.text"
BATCH = 2000
FIELDS = ["user_id", "created_at", "read_at", "mail_state", "mail_attempts", "mail_error", "mail_next_try", "mail_sent_at"]


def copy_forward(apps, schema_editor):
    db = schema_editor.connection.alias
    Old = apps.get_model("feedback", "Notification")
    New = apps.get_model("notifications", "Notification")
    ContentType = apps.get_model("contenttypes", "ContentType")
    rows = Old.objects.using(db).order_by("pk")
    if not rows.exists():
        return
    case_type, _created = ContentType.objects.using(db).get_or_create(app_label="feedback", model="case")
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last)[:BATCH])
        if not batch:
            break
        New.objects.using(db).bulk_create(
            New(
                kind=LEGACY_KIND,
                params={"text": old.message},
                target_type_id=case_type.pk if old.case_id else None,
                target_id=old.case_id,
                **{name: getattr(old, name) for name in FIELDS},
            )
            for old in batch
        )
        last = batch[-1].pk


def copy_back(apps, schema_editor):
    db = schema_editor.connection.alias
    Old = apps.get_model("feedback", "Notification")
    New = apps.get_model("notifications", "Notification")
    ContentType = apps.get_model("contenttypes", "ContentType")
    case_type = ContentType.objects.using(db).filter(app_label="feedback", model="case").first()
    rows = New.objects.using(db).order_by("pk")
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last)[:BATCH])
        if not batch:
            break
        Old.objects.using(db).bulk_create(
            Old(
                kind=new.kind.rsplit(".", 1)[-1][:20],
                message=str(new.params.get("text", new.kind) if isinstance(new.params, dict) else new.kind)[:300],
                case_id=new.target_id if case_type and new.target_type_id == case_type.pk else None,
                **{name: getattr(new, name) for name in FIELDS},
            )
            for new in batch
        )
        last = batch[-1].pk
    rows.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("feedback", "0004_case_received_index"),
        ("notifications", "0001_notification"),
    ]

    operations = [
        migrations.RunPython(copy_forward, copy_back),
        migrations.RemoveIndex(model_name="notification", name="feedback_notice_user_idx"),
        migrations.RemoveIndex(model_name="notification", name="feedback_notice_mail_idx"),
        migrations.DeleteModel(name="Notification"),
    ]

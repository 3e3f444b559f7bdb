"""BAD-2 correction (RULES.md, 2026-11-29): the draft's bar is off by default; and past serious
product records, which suspended the product's listing under the old code, say so.

Policy values are never edited (a trigger forbids it): where nobody but the system has set
`bad.ban_enabled` and it still reads true, a new version "false" from the same initial date is
added (for one date the latest entered wins). A regulator's own choice is left alone."""

from datetime import date

from django.db import migrations


def forwards(apps, schema_editor):
    BadRecord = apps.get_model("qualifications", "BadRecord")
    BadRecord.objects.filter(severity="serious", product__isnull=False, sanction="interview").update(
        sanction="suspend")
    PolicyValue = apps.get_model("policy", "PolicyValue")
    versions = list(PolicyValue.objects.filter(key="bad.ban_enabled"))
    if versions and all(v.set_by_id is None for v in versions) and any(v.value is True for v in versions):
        PolicyValue.objects.create(
            key="bad.ban_enabled", value=False, effective_from=date(2020, 5, 1),
            reason="更正（BAD-2）：禁入仅见于征求意见稿，正式文件改为对产品作处理，默认关闭",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("qualifications", "0005_bad_record_decisions"),
        ("policy", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

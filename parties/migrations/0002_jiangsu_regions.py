from django.db import migrations


def load(apps, schema_editor):
    from parties.reference import load_regions

    load_regions(apps.get_model("parties", "Region"))


class Migration(migrations.Migration):
    dependencies = [("parties", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

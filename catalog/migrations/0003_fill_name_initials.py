"""Fill Product.name_initials for rows saved before the catalogue computed it on save."""

from django.db import migrations


def fill(apps, schema_editor):
    from catalog.rules import name_initials

    Product = apps.get_model("catalog", "Product")
    for product in Product.objects.filter(name_initials="").only("pk", "generic_name").iterator():
        Product.objects.filter(pk=product.pk).update(name_initials=name_initials(product.generic_name))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_cataloguechange_cataloguechangeevent_and_more")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]

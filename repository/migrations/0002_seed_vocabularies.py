from django.db import migrations


def seed(apps, schema_editor):
    from repository.vocabularies import seed_vocabularies

    seed_vocabularies(apps)


class Migration(migrations.Migration):
    dependencies = [("repository", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

"""The anonymous page store is gone: public pages are cached by the HTTP cache in front (Varnish),
which Wagtail's frontend cache purges (cms/purge.py). Its two tables are dropped."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cms", "0005_page_store_lz4")]

    operations = [
        migrations.DeleteModel(name="RenderedPage"),
        migrations.DeleteModel(name="PublicCacheGeneration"),
    ]

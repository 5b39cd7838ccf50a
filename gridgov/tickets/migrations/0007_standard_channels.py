from django.db import migrations


def install(apps, schema_editor):
    from gridgov.tickets.channels import install as install_channels

    install_channels(apps.get_model("tickets", "Channel"))


class Migration(migrations.Migration):
    dependencies = [("tickets", "0006_channel_numbering_and_limits")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]

"""Install the default rule sets (网格长月度考核, 三级/四级网格季度评定, 零投诉社区季度奖励, 区直部门月度考核)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from gridgov.assessment.defaults import install

    install(apps.get_model("assessment", "RuleSet"))


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

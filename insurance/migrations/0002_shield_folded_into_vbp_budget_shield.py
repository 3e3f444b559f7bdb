# The insurance ledger's Shield duplicated vbp's BudgetShield (VBP-8: an institution keeps its
# budget control index). vbp sits below insurance, so the one table is vbp's: recorded shields
# are copied there (reason, note, who, when) before this model goes.

from django.db import migrations

COPY = """
INSERT INTO vbp_budgetshield (institution_id, year, tender_id, reason, note, recorded_by_id, created_at)
SELECT s.institution_id, s.year, NULL, s.reason, s.note, s.recorded_by_id, s.recorded_at
  FROM insurance_shield s
 WHERE NOT EXISTS (SELECT 1 FROM vbp_budgetshield b WHERE b.institution_id = s.institution_id AND b.year = s.year
                      AND b.reason = s.reason AND b.tender_id IS NULL)
 ORDER BY s.id
"""


class Migration(migrations.Migration):

    dependencies = [
        ('insurance', '0001_initial'),
        ('vbp', '0004_budget_shield_recorded_by_regulator'),
    ]

    operations = [
        migrations.RunSQL(COPY, migrations.RunSQL.noop),
        migrations.DeleteModel(
            name='Shield',
        ),
    ]

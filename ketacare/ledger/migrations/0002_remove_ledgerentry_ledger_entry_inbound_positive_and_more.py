# An empty step, kept because other apps' migrations depend on this name
# (treatments 0001). It once re-created two check constraints whose kind lists came out in a
# different order on each run (they were built from frozensets); 0001 now builds them sorted,
# so there is nothing left to change.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0001_initial"),
    ]

    operations = []

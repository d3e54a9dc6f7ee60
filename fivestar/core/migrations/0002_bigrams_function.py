"""``fivestar_bigrams``: what the GIN indexes of substring search are built on (PostgreSQL)."""

from django.db import migrations

from fivestar.core.textsearch import (
    CREATE_BIGRAMS_FUNCTION,
    DROP_BIGRAMS_FUNCTION,
    RunOnPostgreSQL,
)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [RunOnPostgreSQL(CREATE_BIGRAMS_FUNCTION, DROP_BIGRAMS_FUNCTION)]

"""``fivestar_bigrams``: what the GIN indexes of substring search are built on (PostgreSQL)."""

from django.db import migrations

from fivestar.core.textsearch import (
    CREATE_BIGRAMS_FUNCTION,
    DROP_BIGRAMS_FUNCTION,
    RunOnPostgreSQL,
)


class Migration(migrations.Migration):
    dependencies: list = []

    operations = [RunOnPostgreSQL(CREATE_BIGRAMS_FUNCTION, DROP_BIGRAMS_FUNCTION)]

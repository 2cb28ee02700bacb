"""Full-text index: FTS5 on SQLite, a weighted tsvector with a GIN index on PostgreSQL."""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title, creators, tags, summary, body,
        content='search_searchdocument', content_rowid='work_id',
        tokenize='unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title, creators, tags, summary, body)
        VALUES (new.work_id, new.title, new.creators, new.tags, new.summary, new.body);
    END""",
    """CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, creators, tags, summary, body)
        VALUES ('delete', old.work_id, old.title, old.creators, old.tags, old.summary, old.body);
    END""",
    """CREATE TRIGGER search_fts_update AFTER UPDATE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, creators, tags, summary, body)
        VALUES ('delete', old.work_id, old.title, old.creators, old.tags, old.summary, old.body);
        INSERT INTO search_fts(rowid, title, creators, tags, summary, body)
        VALUES (new.work_id, new.title, new.creators, new.tags, new.summary, new.body);
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TABLE IF EXISTS search_fts",
]
# PostgreSQL's parser reads "Hurt/Comfort" as a file path and "a.b" as a host name, one token
# each; as spaces they become separate words, as SQLite's unicode61 tokenizer makes them.
_SPLIT = "translate(coalesce({0}, ''), '/\\.@', '    ')"
POSTGRES_FORWARD = [
    f"""ALTER TABLE search_searchdocument ADD COLUMN document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', {_SPLIT.format("title")}), 'A') ||
        setweight(to_tsvector('simple', {_SPLIT.format("creators")} || ' ' || {_SPLIT.format("tags")}), 'B') ||
        setweight(to_tsvector('simple', {_SPLIT.format("summary")}), 'C') ||
        setweight(to_tsvector('simple', {_SPLIT.format("body")}), 'D')
    ) STORED""",
    "CREATE INDEX search_document_gin ON search_searchdocument USING GIN (document)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_document_gin",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS document",
]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]

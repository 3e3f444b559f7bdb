"""Order, delivery and receipt lines become monthly RANGE partitions (issue 18 item 2).

Each table is rebuilt as a partitioned table of the same name and shape and its rows copied
across (ids kept, the identity continues after the largest). PostgreSQL wants the partition key
in every PRIMARY KEY / UNIQUE of a partitioned table: the primary key becomes (id, key) — ids
still come from the one identity, so `id` stays unique and stays Django's pk — and
(order, line_no) becomes (order, line_no, ordered_on), the same thing as ordered_on follows
from the order. A FOREIGN KEY cannot point at `id` alone any more: the four references into
these tables are checked by deferred constraint triggers instead (orders_line_ref_check); the
other direction needs nothing, because lines are never deleted (the never-deleted triggers
are carried over to the new tables, where PostgreSQL clones them onto every partition) and ids
never change. Indexes are declared on the parent, so every partition — also the ones the beat
job adds later — has them. Reversible: backwards rebuilds plain tables the same way.
See docs/scaling.md "Monthly partitions"."""

from django.db import migrations

PARTITIONED = (("orders_orderline", "ordered_on"), ("orders_deliveryline", "created_on"),
               ("orders_receiptline", "received_on"))

# Create one month's partition of a partitioned table unless it exists; rows of that month
# already sitting in the DEFAULT partition move into it (they are re-routed through the
# parent and the old DEFAULT dropped, so no DELETE fires the never-deleted triggers).
# Idempotent and serialised by the lock on the parent. Used here and by the beat job.
MONTH_PARTITION_FN = r"""
CREATE OR REPLACE FUNCTION orders_month_partition(parent text, month date) RETURNS boolean
LANGUAGE plpgsql AS $fn$
DECLARE
    first date := date_trunc('month', month)::date;
    next date := (date_trunc('month', month) + interval '1 month')::date;
    part text := format('%s_p%s', parent, to_char(first, 'YYYY_MM'));
    dflt text := parent || '_default';
    key text;
    stray boolean;
BEGIN
    IF to_regclass(part) IS NOT NULL THEN
        RETURN false;
    END IF;
    EXECUTE format('LOCK TABLE %I IN SHARE ROW EXCLUSIVE MODE', parent);
    IF to_regclass(part) IS NOT NULL THEN
        RETURN false;
    END IF;
    SELECT a.attname INTO key FROM pg_partitioned_table pt
      JOIN pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = pt.partattrs[0]
     WHERE pt.partrelid = parent::regclass;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I >= $1 AND %I < $2)', dflt, key, key)
       INTO stray USING first, next;
    IF stray THEN
        EXECUTE format('ALTER TABLE %I DETACH PARTITION %I', parent, dflt);
        EXECUTE format('ALTER TABLE %I RENAME TO %I', dflt, dflt || '_old');
        EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', dflt, parent);
    END IF;
    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', part, parent, first, next);
    IF stray THEN
        EXECUTE format('INSERT INTO %I SELECT * FROM %I', parent, dflt || '_old');
        EXECUTE format('DROP TABLE %I', dflt || '_old');
    END IF;
    RETURN true;
END
$fn$;
"""

# Rebuild `tbl` partitioned by `key` (forward) or plain (backward), keeping name, columns,
# checks, defaults, identity, foreign keys out, indexes, triggers and their pgtrigger comments.
REBUILD = r"""
DO $do$
DECLARE
    tbl text := %(tbl)L;
    key text := %(key)L;
    forward boolean := %(forward)s;
    old text := tbl || '_unpartitioned';
    r record;
    trigs text[] := '{}';
    idxs text[] := '{}';
    uniqs text[] := '{}';
    fks text[] := '{}';
    stmt text;
    seq text;
    lo date;
    hi date;
    m date;
BEGIN
    FOR r IN SELECT pg_get_triggerdef(t.oid) AS def, t.tgname, obj_description(t.oid, 'pg_trigger') AS note
               FROM pg_trigger t WHERE t.tgrelid = tbl::regclass AND NOT t.tgisinternal AND t.tgparentid = 0 LOOP
        trigs := trigs || r.def;
        IF r.note IS NOT NULL THEN
            trigs := trigs || format('COMMENT ON TRIGGER %I ON %I IS %L', r.tgname, tbl, r.note);
        END IF;
    END LOOP;
    FOR r IN SELECT pg_get_indexdef(i.indexrelid) AS def, c.relname FROM pg_index i
               JOIN pg_class c ON c.oid = i.indexrelid
              WHERE i.indrelid = tbl::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) LOOP
        idxs := idxs || replace(r.def, ' ON ONLY ', ' ON ');
        EXECUTE format('DROP INDEX %I', r.relname);
    END LOOP;
    FOR r IN SELECT conname, contype, pg_get_constraintdef(oid) AS def FROM pg_constraint
              WHERE conrelid = tbl::regclass AND contype IN ('p', 'u', 'f') ORDER BY contype DESC LOOP
        IF r.contype = 'f' THEN
            fks := fks || format('ALTER TABLE %I ADD CONSTRAINT %I %s', tbl, r.conname, r.def);
        ELSIF r.contype = 'u' THEN
            uniqs := uniqs || format('ALTER TABLE %I ADD CONSTRAINT %I %s', tbl, r.conname,
                CASE WHEN forward THEN regexp_replace(r.def, '\)$', ', ' || key || ')')
                     ELSE replace(r.def, ', ' || key || ')', ')') END);
        END IF;
        IF r.contype IN ('p', 'u') THEN
            EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', tbl, r.conname);
        END IF;
    END LOOP;
    seq := pg_get_serial_sequence(tbl, 'id');

    EXECUTE format('ALTER TABLE %I RENAME TO %I', tbl, old);
    IF forward THEN
        EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY)'
                       ' PARTITION BY RANGE (%I)', tbl, old, key);
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I PRIMARY KEY (id, %I)', tbl, tbl || '_pkey', key);
        EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', tbl || '_default', tbl);
        -- One partition per month of the existing rows (at most ten years back; older rows
        -- wait in DEFAULT) and three months ahead.
        EXECUTE format('SELECT min(%I), max(%I) FROM %I', key, key, old) INTO lo, hi;
        lo := greatest(coalesce(lo, current_date), (current_date - interval '10 years')::date);
        hi := greatest(coalesce(hi, current_date), current_date) + interval '3 months';
        m := date_trunc('month', lo)::date;
        WHILE m <= hi LOOP
            PERFORM orders_month_partition(tbl, m);
            m := (m + interval '1 month')::date;
        END LOOP;
    ELSE
        EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY)',
                       tbl, old);
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I PRIMARY KEY (id)', tbl, tbl || '_pkey');
    END IF;
    EXECUTE format('INSERT INTO %I SELECT * FROM %I', tbl, old);
    EXECUTE format('DROP TABLE %I', old);
    -- The new identity got a sequence of its own: it continues after the copied ids and takes the old name.
    EXECUTE format('SELECT setval(%L, coalesce((SELECT max(id) FROM %I), 0) + 1, false)',
                   pg_get_serial_sequence(tbl, 'id'), tbl);
    IF pg_get_serial_sequence(tbl, 'id') <> seq THEN
        EXECUTE format('ALTER SEQUENCE %s RENAME TO %I', pg_get_serial_sequence(tbl, 'id'),
                       split_part(seq, '.', 2));
    END IF;
    FOREACH stmt IN ARRAY uniqs || idxs || fks || trigs LOOP
        EXECUTE stmt;
    END LOOP;
END
$do$;
"""

# The references into the partitioned tables, checked at commit like Django's deferred FKs.
REFERENCES = (("orders_deliveryline", "order_line_id", "orders_orderline"),
              ("orders_receiptline", "delivery_line_id", "orders_deliveryline"),
              ("orders_receiptline", "order_line_id", "orders_orderline"),
              ("orders_returnrecord", "order_line_id", "orders_orderline"))

REF_CHECK_FN = r"""
CREATE OR REPLACE FUNCTION orders_line_ref_check() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    ref bigint := (to_jsonb(NEW) ->> TG_ARGV[0])::bigint;
    found boolean;
BEGIN
    IF ref IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE id = $1)', TG_ARGV[1]) INTO found USING ref;
    IF NOT found THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = format('insert or update on table "%s" violates reference %s: no row %s in "%s"',
                             TG_TABLE_NAME, TG_ARGV[0], ref, TG_ARGV[1]);
    END IF;
    RETURN NULL;
END
$fn$;
"""


def _rebuild(forward):
    return [REBUILD.replace("%(tbl)L", f"'{tbl}'").replace("%(key)L", f"'{key}'")
            .replace("%(forward)s", "true" if forward else "false") for tbl, key in PARTITIONED]


def _ref_trigger(table, column):
    return f"{table}_{column}_ref"


REF_TRIGGERS = [
    f"CREATE CONSTRAINT TRIGGER {_ref_trigger(t, c)} AFTER INSERT OR UPDATE OF {c} ON {t} "
    f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION orders_line_ref_check('{c}', '{x}')"
    for t, c, x in REFERENCES
]
DROP_REF_TRIGGERS = [f"DROP TRIGGER {_ref_trigger(t, c)} ON {t}" for t, c, _x in REFERENCES]


class Migration(migrations.Migration):

    dependencies = [
        ("orders", "0006_line_partition_keys"),
    ]

    operations = [
        migrations.RunSQL(MONTH_PARTITION_FN, "DROP FUNCTION orders_month_partition(text, date)"),
        migrations.RunSQL(_rebuild(True), _rebuild(False)),
        migrations.RunSQL([REF_CHECK_FN, *REF_TRIGGERS], [*DROP_REF_TRIGGERS, "DROP FUNCTION orders_line_ref_check()"]),
    ]

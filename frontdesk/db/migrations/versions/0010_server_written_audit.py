"""server-written audit trail: triggers record row changes, the chain is computed in PostgreSQL

On PostgreSQL the database itself now writes the trail:

* ``frontdesk_audit_chain`` (BEFORE INSERT on audit_entries) takes the trail's advisory lock,
  reads the last hash and computes ``prev_hash``/``hash`` with the builtin sha256() over the
  same canonical JSON the Python verifier rebuilds (kernel/audit.py ``hashed_fields``). A row
  not inserted by the table's owner (that is, not through the functions below) also gets the
  server's time and ``session_user``, whatever it claimed.
* ``frontdesk_audit_row_change`` (AFTER INSERT/UPDATE/DELETE on every audited table,
  SECURITY DEFINER) records each row change with ``session_user``, the server's clock and the
  old and new values (password hashes masked, document bytes given as their size), also when
  the change did not come from Front Desk.
* ``frontdesk_audit_record(action, entity, entity_id, patient_id, details)`` (SECURITY
  DEFINER) records a view, print, export or sign-in, stamped the same way.

The Front Desk user an entry names is what the app claimed for the transaction
(``frontdesk.username`` etc., set by kernel/audit.py); ``db_user`` is who the server knows
was connected. No role but the owner may INSERT, UPDATE, DELETE or TRUNCATE the table.

Entries written before this revision keep their hashes; the server continues the chain from
the last one (the canonical form is unchanged, plus ``db_user`` when it is set). SQLite only
gains the column: there the app still computes the chain, and checkpoints protect it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

LOCK_KEY = 7_262_001  # kernel/audit.py PG_AUDIT_LOCK
# Audited table -> (primary key, column holding the patient's id or "", masked columns).
# "redact:" columns are shown as "(redacted)", "bytes:" columns as their size.
AUDITED: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "practice_profile": ("id", "", ("bytes:logo",)),
    "locations": ("id", "", ()),
    "providers": ("id", "", ()),
    "users": ("id", "", ("redact:password_hash",)),
    "settings": ("key", "", ()),
    "referrers": ("id", "", ()),
    "patients": ("id", "id", ()),
    "prior_surgeries": ("id", "patient_id", ()),
    "imaging_studies": ("id", "patient_id", ()),
    "procedure_labels": ("id", "", ()),
    "received_documents": ("id", "patient_id", ("bytes:content",)),
    "consultation_requests": ("id", "patient_id", ()),
    "request_transitions": ("id", "patient_id", ()),
    "request_checklist_items": ("id", "patient_id", ()),
    "request_contact_attempts": ("id", "patient_id", ()),
    "appointment_types": ("id", "", ()),
    "availability_blocks": ("id", "", ()),
    "availability_exceptions": ("id", "", ()),
    "appointments": ("id", "patient_id", ()),
    "appointment_events": ("id", "patient_id", ()),
    "waitlist_entries": ("id", "patient_id", ()),
}
ROW_TRIGGER = "frontdesk_audit_row"

CHAIN = """
CREATE FUNCTION frontdesk_audit_chain() RETURNS trigger LANGUAGE plpgsql
SET search_path = {schema}, pg_temp AS $fn$
DECLARE
    previous text;
BEGIN
    PERFORM pg_advisory_xact_lock({lock});
    IF current_user <> pg_get_userbyid((SELECT relowner FROM pg_class
                                        WHERE oid = TG_RELID)) THEN
        -- Not written through the functions below: whatever it claims, the server says
        -- who and when.
        NEW.at := clock_timestamp();
        NEW.db_user := session_user;
    END IF;
    SELECT hash INTO previous FROM audit_entries ORDER BY id DESC LIMIT 1;
    NEW.prev_hash := coalesce(previous, repeat('0', 64));
    -- The canonical text is json.dumps(fields, sort_keys=True, ensure_ascii=False,
    -- separators=(",", ":")) in kernel/audit.py: keys in code point order, to_json()
    -- escapes strings exactly as Python's json does.
    NEW.hash := encode(sha256(convert_to(
        NEW.prev_hash
        || '{{"action":' || to_json(NEW.action)::text
        || ',"at":' || to_json(to_char(NEW.at AT TIME ZONE 'UTC',
                                       'YYYY-MM-DD"T"HH24:MI:SS.US') || '+00:00')::text
        || CASE WHEN NEW.db_user IS NULL THEN ''
                ELSE ',"db_user":' || to_json(NEW.db_user)::text END
        || ',"details":' || to_json(NEW.details)::text
        || ',"entity":' || to_json(NEW.entity)::text
        || ',"entity_id":' || to_json(NEW.entity_id)::text
        || ',"patient_id":' || coalesce(NEW.patient_id::text, 'null')
        || ',"user_id":' || coalesce(NEW.user_id::text, 'null')
        || ',"username":' || to_json(NEW.username)::text
        || ',"workstation":' || to_json(NEW.workstation)::text
        || '}}', 'UTF8')), 'hex');
    RETURN NEW;
END
$fn$
"""

APPEND = """
CREATE FUNCTION frontdesk_audit_append(
    p_action text, p_entity text, p_entity_id text, p_patient_id integer, p_details text
) RETURNS bigint LANGUAGE plpgsql
SET search_path = {schema}, pg_temp AS $fn$
DECLARE
    new_id bigint;
BEGIN
    -- Locked before the INSERT draws its id, so ids follow the chain's order.
    PERFORM pg_advisory_xact_lock({lock});
    INSERT INTO audit_entries (at, username, user_id, workstation, db_user, action, entity,
                               entity_id, patient_id, details, prev_hash, hash)
    VALUES (
        clock_timestamp(),
        left(coalesce(nullif(current_setting('frontdesk.username', true), ''),
                      session_user), 120),
        nullif(current_setting('frontdesk.user_id', true), '')::integer,
        left(coalesce(nullif(current_setting('frontdesk.workstation', true), ''),
                      host(inet_client_addr()), 'local'), 120),
        session_user,
        p_action, p_entity, coalesce(p_entity_id, ''), p_patient_id,
        coalesce(p_details, '{{}}'), '', ''
    )
    RETURNING id INTO new_id;
    RETURN new_id;
END
$fn$
"""

RECORD = """
CREATE FUNCTION frontdesk_audit_record(
    p_action text, p_entity text, p_entity_id text, p_patient_id integer, p_details text
) RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
SET search_path = {schema}, pg_temp AS $fn$
BEGIN
    IF coalesce(p_action, '') = '' OR coalesce(p_entity, '') = '' THEN
        RAISE EXCEPTION 'an audit entry needs an action and an entity';
    END IF;
    IF jsonb_typeof(coalesce(p_details, '{{}}')::jsonb) <> 'object' THEN
        RAISE EXCEPTION 'audit details must be a JSON object';
    END IF;
    RETURN frontdesk_audit_append(p_action, p_entity, p_entity_id, p_patient_id, p_details);
END
$fn$
"""

ROW_CHANGE = """
CREATE FUNCTION frontdesk_audit_row_change() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = {schema}, pg_temp SET timezone = 'UTC' SET bytea_output = 'hex' AS $fn$
DECLARE
    old_row jsonb;
    new_row jsonb;
    shown jsonb;
    changes jsonb := '{{}}';
    details jsonb;
    action text;
    spec text;
    col text;
    i integer;
    hidden text[] := ARRAY['version', 'created_at', 'created_by', 'updated_at', 'updated_by'];
    side text;
    patient text;
    subject jsonb;
BEGIN
    IF TG_OP <> 'INSERT' THEN old_row := to_jsonb(OLD); END IF;
    IF TG_OP <> 'DELETE' THEN new_row := to_jsonb(NEW); END IF;
    IF TG_OP = 'UPDATE' THEN
        action := 'update';
        FOR col IN SELECT key FROM jsonb_each(new_row) ORDER BY key LOOP
            CONTINUE WHEN col = ANY(hidden) OR old_row -> col = new_row -> col;
            changes := changes || jsonb_build_object(
                col, jsonb_build_object('old', old_row -> col, 'new', new_row -> col));
        END LOOP;
        IF changes = '{{}}' THEN
            RETURN NULL;  -- only the version or the edit stamp moved
        END IF;
    ELSE
        action := CASE TG_OP WHEN 'INSERT' THEN 'create' ELSE 'delete' END;
        changes := coalesce(new_row, old_row) - hidden;
    END IF;
    FOR i IN 2 .. TG_NARGS - 1 LOOP
        spec := TG_ARGV[i];
        col := substr(spec, strpos(spec, ':') + 1);
        IF TG_OP = 'UPDATE' THEN
            CONTINUE WHEN NOT changes ? col;
            FOREACH side IN ARRAY ARRAY['old', 'new'] LOOP
                shown := changes -> col -> side;
                IF spec LIKE 'redact:%' THEN
                    shown := '"(redacted)"';
                ELSIF jsonb_typeof(shown) = 'string' THEN
                    shown := to_jsonb('(' || (length(shown #>> '{{}}') - 2) / 2 || ' bytes)');
                END IF;
                changes := jsonb_set(changes, ARRAY[col, side], shown);
            END LOOP;
        ELSIF changes ? col THEN
            shown := changes -> col;
            IF spec LIKE 'redact:%' THEN
                shown := '"(redacted)"';
            ELSIF jsonb_typeof(shown) = 'string' THEN
                shown := to_jsonb('(' || (length(shown #>> '{{}}') - 2) / 2 || ' bytes)');
            END IF;
            changes := jsonb_set(changes, ARRAY[col], shown);
        END IF;
    END LOOP;
    details := CASE WHEN TG_OP = 'UPDATE' THEN jsonb_build_object('changes', changes)
                    ELSE jsonb_build_object('values', changes) END;
    subject := coalesce(new_row, old_row);
    patient := CASE WHEN TG_ARGV[1] = '' THEN NULL ELSE subject ->> TG_ARGV[1] END;
    PERFORM frontdesk_audit_append(action, TG_TABLE_NAME, subject ->> TG_ARGV[0],
                                   patient::integer, details::text);
    RETURN NULL;
END
$fn$
"""


def _quoted_args(pk: str, patient: str, masked: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in (pk, patient, *masked))


def upgrade() -> None:
    op.add_column("audit_entries", sa.Column("db_user", sa.String(length=120), nullable=True))
    if op.get_bind().dialect.name != "postgresql":
        return
    schema = op.get_bind().execute(sa.text("SELECT quote_ident(current_schema())")).scalar_one()
    for body in (CHAIN, APPEND, RECORD, ROW_CHANGE):
        op.execute(sa.text(body.format(schema=schema, lock=LOCK_KEY)))
    # frontdesk_audit_append is the functions' helper: callable only through them.
    op.execute(
        "REVOKE EXECUTE ON FUNCTION frontdesk_audit_append(text, text, text, integer, "
        "text) FROM PUBLIC"
    )
    op.execute(
        "CREATE TRIGGER frontdesk_audit_chain BEFORE INSERT ON audit_entries "
        "FOR EACH ROW EXECUTE FUNCTION frontdesk_audit_chain()"
    )
    for table, (pk, patient, masked) in AUDITED.items():
        op.execute(
            f"CREATE TRIGGER {ROW_TRIGGER} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION frontdesk_audit_row_change("
            f"{_quoted_args(pk, patient, masked)})"
        )
    op.execute("REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON audit_entries FROM PUBLIC")
    op.execute(
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'frontdesk_app') THEN "
        "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON audit_entries FROM frontdesk_app; "
        "END IF; END $$"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in AUDITED:
            op.execute(f"DROP TRIGGER IF EXISTS {ROW_TRIGGER} ON {table}")
        op.execute("DROP TRIGGER IF EXISTS frontdesk_audit_chain ON audit_entries")
        op.execute("DROP FUNCTION IF EXISTS frontdesk_audit_row_change()")
        op.execute(
            "DROP FUNCTION IF EXISTS frontdesk_audit_record(text, text, text, integer, text)"
        )
        op.execute(
            "DROP FUNCTION IF EXISTS frontdesk_audit_append(text, text, text, integer, text)"
        )
        op.execute("DROP FUNCTION IF EXISTS frontdesk_audit_chain()")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_column("db_user")

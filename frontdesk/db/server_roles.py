"""PostgreSQL roles per person: the group roles' names, their grants and the account functions.

The one place that says what each Front Desk role may do in the database itself. The setup
guide's grant block is this module's SQL for the database ``frontdesk`` (a test compares
them), ``frontdesk db setup-roles`` runs it, and the tests run it against a real server.

Role names are global to a PostgreSQL cluster while grants belong to one database, so every
name starts with a prefix made from the database's name: two practices (or two test
databases) on one server never share a group or a person's login role.

- groups: ``<prefix>_admin``, ``<prefix>_front_desk``, ``<prefix>_clinical`` (NOLOGIN);
- a person: the login role ``<prefix>.<username>``, a member of their role's group while
  their account is active (deactivated: no group and NOLOGIN).

Login roles change only through ``frontdesk_sync_login`` (admins may execute it), which
makes the login role match the ``users`` row in the transaction that changed the row, and
``frontdesk_own_password`` (everyone: one's own password). Both are SECURITY DEFINER, owned
by the owner, which needs CREATEROLE.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from frontdesk.db.models import Base
from frontdesk.domain.permissions import Role

MAX_ROLE_NAME = 63  # PostgreSQL's NAMEDATALEN - 1: longer names are cut off silently
PREFIX_LENGTH = 24
SYNC_FUNCTION = "frontdesk_sync_login"
OWN_PASSWORD_FUNCTION = "frontdesk_own_password"
# The one audit function (migration 0010) people may call: it records a view, a print or an
# export stamped with the caller's login. Its helper and the trigger functions stay the
# owner's; granting it to the groups, it is taken from PUBLIC.
AUDIT_RECORD_FUNCTION = "frontdesk_audit_record"

EVERYDAY = ("SELECT", "INSERT", "UPDATE", "DELETE")
# Practice set-up and accounts: everyone reads them, only admins write them.
ADMIN_WRITES = frozenset(
    {
        "users",
        "settings",
        "practice_profile",
        "locations",
        "providers",
        "appointment_types",
        "availability_blocks",
        "availability_exceptions",
    }
)
# Nobody but the owner writes these: the schema's version; the audit trail (its entries are
# written by the database's own audit functions, never by an application role).
NOBODY_WRITES = frozenset({"alembic_version", "audit_entries"})
# Columns only admins may read (the rest of the table is readable by all).
ADMIN_READS_ONLY = {"users": ("password_hash",)}
# Columns only admins may change: merging charts is an admin's act.
ADMIN_UPDATES_ONLY = {"patients": ("merged_into_id", "merged_at")}
# Rows the app never deletes (accounts, charts, requests, appointments and their histories,
# handouts given): not even an admin with psql may delete them.
NEVER_DELETED = frozenset(
    {
        "users",
        "patients",
        "consultation_requests",
        "request_transitions",
        "request_contact_attempts",
        "appointments",
        "appointment_events",
        "handout_prints",
        "handout_reviews",
        "phone_notes",
        "inbox_documents",
        "inbox_arrivals",
    }
)

_SAFE_NAME = re.compile(r"^[a-z0-9_]+$")


@dataclass(frozen=True)
class ServerRoleNames:
    """The role names of one database (see the module's docstring)."""

    database: str
    prefix: str

    @classmethod
    def for_database(cls, database: str) -> ServerRoleNames:
        return cls(database, role_prefix(database))

    def group(self, role: Role) -> str:
        return f"{self.prefix}_{Role(role).value}"

    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(self.group(role) for role in Role)

    def login(self, username: str) -> str:
        """The login role of the Front Desk user ``username`` (ValueError when too long)."""
        name = f"{self.prefix}.{username}"
        if len(name.encode("utf-8")) > MAX_ROLE_NAME:
            raise ValueError(
                f"'{username}' is too long for a database login on this server: use at most "
                f"{longest_username(self)} characters"
            )
        return name


def longest_username(names: ServerRoleNames) -> int:
    return MAX_ROLE_NAME - len(names.prefix) - 1


def role_prefix(database: str) -> str:
    """The database's name when it is short and plain, else a cut of it and a hash of all."""
    if _SAFE_NAME.match(database) and len(database) <= PREFIX_LENGTH:
        return database
    plain = re.sub(r"[^a-z0-9_]", "_", database.lower())[: PREFIX_LENGTH - 9]
    digest = hashlib.sha256(database.encode("utf-8")).hexdigest()[:8]
    return f"{plain}_{digest}"


@dataclass(frozen=True)
class TableRights:
    """What one group may do with one table: table-wide privileges, and column lists."""

    table: str
    privileges: tuple[str, ...]
    select_columns: tuple[str, ...] = ()
    update_columns: tuple[str, ...] = ()


def _columns(table: str) -> tuple[str, ...]:
    return tuple(column.name for column in Base.metadata.tables[table].columns)


def application_tables() -> list[str]:
    return sorted([*Base.metadata.tables, "alembic_version"])


def table_rights(role: Role, table: str) -> TableRights:
    """The single statement of who may do what with which table."""
    if table in NOBODY_WRITES:
        return TableRights(table, ("SELECT",))
    everyday = tuple(p for p in EVERYDAY if not (p == "DELETE" and table in NEVER_DELETED))
    if role is Role.ADMIN:
        return TableRights(table, everyday)
    if table in ADMIN_WRITES:
        hidden = ADMIN_READS_ONLY.get(table, ())
        if hidden:
            visible = tuple(c for c in _columns(table) if c not in hidden)
            return TableRights(table, (), select_columns=visible)
        return TableRights(table, ("SELECT",))
    kept = ADMIN_UPDATES_ONLY.get(table, ())
    if kept:
        changeable = tuple(c for c in _columns(table) if c not in kept)
        without_update = tuple(p for p in everyday if p != "UPDATE")
        return TableRights(table, without_update, update_columns=changeable)
    return TableRights(table, everyday)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _grant_table(rights: TableRights, group: str) -> list[str]:
    table, to = _quote(rights.table), _quote(group)
    statements = []
    if rights.privileges:
        statements.append(f"GRANT {', '.join(rights.privileges)} ON {table} TO {to}")
    if rights.select_columns:
        columns = ", ".join(rights.select_columns)
        statements.append(f"GRANT SELECT ({columns}) ON {table} TO {to}")
    if rights.update_columns:
        columns = ", ".join(rights.update_columns)
        statements.append(f"GRANT UPDATE ({columns}) ON {table} TO {to}")
    return statements


def _create_groups(names: ServerRoleNames) -> str:
    creates = "\n".join(
        f"    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {_literal(group)}) THEN\n"
        f"        CREATE ROLE {_quote(group)} NOLOGIN;\n"
        "    END IF;"
        for group in names.groups
    )
    return f"DO $groups$\nBEGIN\n{creates}\nEND\n$groups$"


def _sync_function(names: ServerRoleNames) -> str:
    groups = ", ".join(_literal(group) for group in names.groups)
    cases = "\n".join(
        f"        WHEN {_literal(role.value)} THEN {_literal(names.group(role))}" for role in Role
    )
    return f"""CREATE OR REPLACE FUNCTION public.{SYNC_FUNCTION}(p_user_id integer, p_verifier text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
    v_user record;
    v_login text;
    v_group text;
    v_other text;
BEGIN
    SELECT username, role, active INTO v_user FROM public.users WHERE id = p_user_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'there is no Front Desk user with id %', p_user_id;
    END IF;
    v_login := {_literal(names.prefix + ".")} || v_user.username;
    IF octet_length(v_login) > {MAX_ROLE_NAME} THEN
        RAISE EXCEPTION 'the user name % is too long for a database login', v_user.username;
    END IF;
    v_group := CASE v_user.role
{cases}
    END;
    IF v_group IS NULL THEN
        RAISE EXCEPTION 'unknown Front Desk role %', v_user.role;
    END IF;
    IF p_verifier IS NOT NULL AND p_verifier !~ '^SCRAM-SHA-256\\$' THEN
        RAISE EXCEPTION 'a password must be given as a SCRAM-SHA-256 verifier';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = v_login) THEN
        EXECUTE format('CREATE ROLE %I NOLOGIN', v_login);
    ELSIF EXISTS (
        SELECT 1 FROM pg_roles WHERE rolname = v_login
        AND (rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls)
    ) THEN
        RAISE EXCEPTION 'the role % has rights beyond Front Desk; the owner must look at it',
            v_login;
    END IF;
    FOREACH v_other IN ARRAY ARRAY[{groups}] LOOP
        IF (v_other <> v_group OR NOT v_user.active) AND EXISTS (
            SELECT 1 FROM pg_auth_members m
            JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
            WHERE g.rolname = v_other AND u.rolname = v_login
        ) THEN
            EXECUTE format('REVOKE %I FROM %I', v_other, v_login);
        END IF;
    END LOOP;
    IF v_user.active THEN
        IF NOT pg_has_role(v_login, v_group, 'MEMBER') THEN
            EXECUTE format('GRANT %I TO %I', v_group, v_login);
        END IF;
        EXECUTE format('ALTER ROLE %I LOGIN', v_login);
    ELSE
        EXECUTE format('ALTER ROLE %I NOLOGIN', v_login);
    END IF;
    IF p_verifier IS NOT NULL THEN
        EXECUTE format('ALTER ROLE %I PASSWORD %L', v_login, p_verifier);
    END IF;
END
$fn$"""


def _own_password_function(names: ServerRoleNames) -> str:
    return f"""CREATE OR REPLACE FUNCTION public.{OWN_PASSWORD_FUNCTION}(p_verifier text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
BEGIN
    IF p_verifier IS NULL OR p_verifier !~ '^SCRAM-SHA-256\\$' THEN
        RAISE EXCEPTION 'a password must be given as a SCRAM-SHA-256 verifier';
    END IF;
    UPDATE public.users SET password_changed_at = now()
    WHERE {_literal(names.prefix + ".")} || username = session_user AND active;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'only an active Front Desk account may change its password here';
    END IF;
    EXECUTE format('ALTER ROLE %I PASSWORD %L', session_user, p_verifier);
END
$fn$"""


def _functions_owned_by_the_database_owner() -> str:
    """The account functions run with their owner's rights: make that the database's owner
    (who needs CREATEROLE), even when a superuser ran the set-up."""
    signatures = (f"public.{SYNC_FUNCTION}(integer, text)", f"public.{OWN_PASSWORD_FUNCTION}(text)")
    alters = "\n".join(
        f"    EXECUTE format('ALTER FUNCTION {signature} OWNER TO %I', v_owner);"
        for signature in signatures
    )
    return f"""DO $owner$
DECLARE
    v_owner name := (
        SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()
    );
BEGIN
{alters}
END
$owner$"""


def _grant_audit_functions(names: ServerRoleNames) -> str:
    to = ", ".join(_quote(group) for group in names.groups)
    return f"""DO $audit$
DECLARE
    v_function regprocedure;
BEGIN
    FOR v_function IN
        SELECT p.oid::regprocedure FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND p.proname = {_literal(AUDIT_RECORD_FUNCTION)}
    LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', v_function);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO {to.replace("%", "%%")}', v_function);
    END LOOP;
END
$audit$"""


def setup_statements(database: str, tables: list[str] | None = None) -> list[str]:
    """Every statement that sets up (or brings up to date) the per-person roles of
    ``database``, run by its owner in one transaction. Running it again is harmless: each
    group's table rights are revoked and granted afresh, so a changed rule takes effect."""
    names = ServerRoleNames.for_database(database)
    groups = ", ".join(_quote(group) for group in names.groups)
    db = _quote(database)
    statements = [
        _create_groups(names),
        f"REVOKE CONNECT, TEMPORARY ON DATABASE {db} FROM PUBLIC",
        f"GRANT CONNECT ON DATABASE {db} TO {groups}",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA public TO {groups}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {groups}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {groups}",
    ]
    for table in tables if tables is not None else application_tables():
        for role in Role:
            statements.extend(_grant_table(table_rights(role, table), names.group(role)))
    statements += [
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {groups}",
        _sync_function(names),
        _own_password_function(names),
        _functions_owned_by_the_database_owner(),
        f"REVOKE ALL ON FUNCTION public.{SYNC_FUNCTION}(integer, text) FROM PUBLIC",
        f"REVOKE ALL ON FUNCTION public.{OWN_PASSWORD_FUNCTION}(text) FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION public.{SYNC_FUNCTION}(integer, text) "
        f"TO {_quote(names.group(Role.ADMIN))}",
        f"GRANT EXECUTE ON FUNCTION public.{OWN_PASSWORD_FUNCTION}(text) TO {groups}",
        _grant_audit_functions(names),
    ]
    return statements


def setup_sql(database: str) -> str:
    """The statements as one script (the setup guide's block; psql -1 -f runs it)."""
    return "".join(f"{statement};\n" for statement in setup_statements(database))

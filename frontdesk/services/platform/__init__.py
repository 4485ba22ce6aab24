"""The platform: the practice database itself, its connection, copies and audit trail.

- ``address``: which database to open (option, environment, saved server, local file), read
  without loading the database layer.
- ``bootstrap``: open the database for use: check or apply the schema, and ``make_context``
  for an actor.
- ``connection``: this workstation's PostgreSQL server profile, password in the keyring, test.
- ``reachability``: is the database answering (the outage monitor's retries).
- ``change_watch``: learn of other workstations' commits (LISTEN/NOTIFY, SQLite data_version).
- ``backup``: verified, optionally encrypted backups and restores.
- ``db_copy``: copy a whole database SQLite <-> PostgreSQL and verify the copy.
- ``audit_trail``: read the audit trail: verify its chain, filter, access reports, CSV.
"""

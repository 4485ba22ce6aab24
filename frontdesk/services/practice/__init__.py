"""The practice: who it is, who works there, and its rules. Every area may read it.

- ``forms``: the forms and plain data the area takes and returns (profile, providers,
  locations, accounts) and ``SignInError``.
- ``profile``: read and save the practice profile.
- ``providers``: the practice's providers, listed, added and corrected.
- ``locations``: the practice's locations, listed, added and corrected.
- ``first_run``: whether setup is needed, and the first profile, providers and admin saved
  together (all or nothing).
- ``users``: managing accounts (Admin): add, list, role, deactivate, reset, unlock.
- ``sign_in``: signing in with lockout after wrong passwords; changing one's own password.
- ``settings``: practice-wide settings, each declared once with its type, bounds and default.
- private to the area: ``rows`` (practice forms checked, the logo too; rows written and read
  back) and ``accounts`` (Argon2id hashes, user name and password rules, account rows).

The optimistic version check on save is the kernel's (``kernel.versions.check_version``).
"""

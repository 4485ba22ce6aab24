"""The use cases, one package per area: each public function is one user action in one unit of work.

Map: where each area and each rule lives (find a rule in one step, and give a new rule the
home named here rather than a second one).

Areas (``frontdesk/services/<area>/``; the arrows allowed between them are the import
contracts in pyproject.toml):

- ``patients``    forms and data (``forms``); create and update (``edit``); open a chart
                  (``lookup``); search (``search``); duplicate warnings (``duplicates``);
                  merge (``merge``); CSV import by step (``import_reading``, ``import_mapping``,
                  ``import_preview``, ``import_write``) and export (``patient_export``);
                  referring providers (``referrers``); phone notes and the calls to return
                  (``phone_notes``), the calls on the chart's timeline (``timeline``).
- ``requests``    consultation requests, a module per use case: intake and red flags
                  (``intake``), one request, a chart's, or a few charts' open ones
                  (``reading``), state changes (``states``), assignee and follow-up
                  (``assignment``), the records chase (``checklist``), contact attempts
                  (``contacts``), the work queue (``work_queue``), records-request letters
                  (``letters``), the referrals report (``report``), the chart's timeline
                  (``timeline``); forms and plain data in ``data``.
- ``scheduling``  the providers' calendars, a module per use case: can this time be booked
                  (``bookability``), book and move (``booking``), statuses, cancelling and
                  reminder calls (``status``), day and week views (``calendars``), one
                  appointment or a chart's (``lookup``), a few charts' next visits
                  (``upcoming``), free-slot search (``find``), freed times (``freed``), the
                  chart's timeline (``timeline``), the waitlist
                  (``waitlist``); Admin's appointment types, weekly hours and time away
                  (``appointment_types``, ``availability``, ``time_away``); provider and
                  location names (``names``); the day sheet (``day_sheet``); a provider's .ics
                  export (``schedule_export``); forms and plain data in ``data``.
- ``history``     surgeries (``surgeries``), imaging (``imaging``), the procedure list
                  (``procedures``), reading and the summary (``summary``), records received
                  (``records``), timeline (``timeline``); received files: checked, stored,
                  viewed (``received_documents``). Its plain data: ``domain.history_records``.
- ``handouts``    the handout library (``library``); handouts given and reprinted
                  (``handout_prints``); pre-visit packets (``packets``); clinical reviews of
                  each handout text (``reviews``).
- ``practice``    forms and data (``forms``); the profile (``profile``), providers
                  (``providers``), locations (``locations``); first-run setup (``first_run``);
                  typed practice settings (``settings``); accounts (``users``); sign-in
                  (``sign_in``); each person's database login kept in step with their
                  account (``logins``).
- ``inbox``       what arrives by fax, scan or e-mail: files checked and stored once
                  (``arrivals``), read a page at a time with OCR (``reading``), suggested
                  patient, kind and sender (``suggestions``), where it can go
                  (``destinations``), filed or discarded (``filing``), split and turned
                  (``pages``), listed and searched by words (``listing``); the sources:
                  watched folders (``folders``), the e-fax mailbox (``mailbox``), both as
                  set up (``sources``). It sits above the other areas: it files into them.
- ``platform``    which database (``address``), opening it (``bootstrap``), the server
                  connection (``connection``, ``reachability``), other workstations' changes
                  (``change_watch``), backups (``backup``), moving SQLite <-> PostgreSQL
                  (``db_copy``), per-person database roles set up by the owner
                  (``person_roles``; what each role may do: ``frontdesk.db.server_roles``) and
                  signing in as one's own login (``person_sign_in``), reading and verifying
                  the audit trail (``audit_trail``); signed
                  checkpoints of its head, kept outside the database, and the workstation's
                  signing key (``audit_checkpoint``).
- ``kernel``      shared by all: the service context and unit of work, permission checks,
                  retries (``context``); the optimistic version check (``versions``); the
                  audit trail's one write path (``audit``: on PostgreSQL the server's triggers
                  and ``frontdesk_audit_record`` write and chain it, migration 0010; on SQLite
                  hooks at flush); change notifications (``changes``).

Outside services: pure rules and vocabularies in ``frontdesk.domain``; the PDFs we make in
``frontdesk.documents``; demo data in ``frontdesk.demo``; screens in ``frontdesk.ui``.

Rules, one home each (a newcomer finds each in one step; give a new rule a home here too):

- can this time be booked (booking, find-next, waitlist, Today's freed times, click-to-book)
  ... domain.scheduling.Bookability, read by scheduling.bookability.read_bookability
- are the records in (request checklist and chart history are one stored fact)
  ... history.records
- is this a possible duplicate patient (patient form, CSV import)
  ... domain.duplicates (DuplicateMatcher memoizes for bulk use)
- is this handout text reviewed, or a draft (the print, packets, Admin's list)
  ... handouts.reviews.standing_of
- the practice's clock: its time zone and what "today" is ... kernel.clock
- what each Front Desk role may do in the database itself (grants, group and login names)
  ... frontdesk.db.server_roles
- who changed this record and when ... kernel.context: UnitOfWork.stamp
- did a save whose connection dropped during COMMIT happen (saved after all, not saved,
  not known yet) ... kernel.context: UnitOfWork.commit, unit_committed
- the optimistic version check on save ... kernel.versions.check_version
- a chart's timeline (surgeries, imaging, requests, appointments, calls) ... history.timeline
- PDF page to image, for the screen and the printer ... frontdesk.documents.page_images
  (one page view widget: frontdesk.ui.widgets.page_view; printing: ui.handouts.printing)
- saving a form: save, Enter, Esc, unsaved changes, the outage pause
  ... frontdesk.ui.widgets.saving_form (FormDialog, FormPanel; has_unsaved_changes)
- running work off the UI thread, the exception handed to failure= ... frontdesk.ui.runner
- text people typed, shown in tooltips as typed ... frontdesk.ui.widgets.plain_text
- is this arrived file new (the same file twice, two desks taking one file)
  ... inbox.arrivals (unique SHA-256 and source key: the database decides)
- whose is this fax, what is it ... inbox.suggestions over domain.document_reading
- which desk reads an unread fax ... inbox.reading.claim_next
- files holding patient data: private modes, scratch files swept after a crash
  ... frontdesk.private_files
"""

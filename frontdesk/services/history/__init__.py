"""History: a patient's prior spine surgeries and imaging, and the records received for them.

The plain data it takes and returns (``SurgeryForm``, ``ImagingForm``, ``SurgeryData``,
``PatientHistory``, ``DeletedEntry``, ``ProcedureChoice``, ``HISTORY_TABLES``...) lives in
``frontdesk.domain.history_records``, so the summary PDF and the packets can read it.

- ``surgeries``: add, correct and delete prior surgeries; the operative report's status;
  the surgeries' timeline events.
- ``imaging``: add, correct and delete imaging studies; reports and images received; the
  studies' timeline events.
- ``procedures``: the practice's procedure list (picker choices, labels added and retired).
- ``summary``: reading a chart's history, the one-line summaries, the surgeon's summary PDF.
- ``records``: whether the records are in (one stored fact, read by requests too).
- ``timeline``: a chart's timeline; its sources (surgeries, imaging, requests, appointments)
  imported by name.
- ``received_documents``: a received fax, scan or PDF report: checked to be what its name
  says, stored, the item marked received; pages rendered to images for the viewer.
- private to the area: ``checks`` (a form cleaned field by field) and ``entry_rows`` (rows to
  plain data, the chart guards, who may change an entry and its records tracking).
"""

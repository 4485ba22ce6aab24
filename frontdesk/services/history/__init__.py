"""History: a patient's prior spine surgeries and imaging, and the records received for them.

- ``chart_history``: checked entry, records received, the chart's timeline (other areas
  register timeline sources) and the history summary. The plain data it takes and returns
  (``SurgeryForm``, ``SurgeryData``, ``PatientHistory``...) lives in
  ``frontdesk.domain.history_records``, so the summary PDF can read it.
- ``received_documents``: a received fax, scan or PDF report: checked to be what its name
  says, stored, the item marked received; pages rendered to images for the viewer.
"""

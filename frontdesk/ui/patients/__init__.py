"""The Patients area: search as you type, the patient chart, the patient form and merge."""

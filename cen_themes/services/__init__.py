"""The operations a researcher performs, and nothing else. Each call that writes runs
as one change (``project.change``), which keeps the undo record, the audit trail and
the derived tables; each returns plain dataclasses from :mod:`cen_themes.results`."""

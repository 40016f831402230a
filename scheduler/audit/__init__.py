"""The audit log: one way to write an entry, a fixed vocabulary of actions, and the
administrators' search and export. No Flask; the web and the use cases call it.

Entries are append-only (the database refuses UPDATE and DELETE, see
:mod:`scheduler.models.audit`) and hold no patron data: no patron names, e-mail
addresses or free text, and no patron's client address.
"""

from scheduler.audit.actions import Action
from scheduler.audit.record import PATRON_FIELDS, client_ip, record
from scheduler.audit.search import AuditFilter, AuditPage, csv_rows, search

__all__ = [
    "PATRON_FIELDS",
    "Action",
    "AuditFilter",
    "AuditPage",
    "client_ip",
    "csv_rows",
    "record",
    "search",
]

"""Use cases for patrons and librarians: appointments, availability, drop-ins (no Flask)."""

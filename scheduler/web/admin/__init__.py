"""Administration pages (admins only)."""

from scheduler.web.admin.people import bp

__all__ = ["bp"]

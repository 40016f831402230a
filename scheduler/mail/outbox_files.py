"""The e-mail files in ``instance/outbox/``: written for the owner only, forgotten after
the retention period.

Without ``MAIL_SERVER`` every message is written there as an ``.eml`` file, and those
files quote names, addresses and manage links just as the stored rows do. So they are
created readable by the server's user only (mode 0600), and the retention purge
deletes them once they are older than the retention, like the rows.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

FILE_MODE = 0o600


def outbox_dir(instance_path: str) -> Path:
    path = Path(instance_path) / "outbox"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def write_private(target: Path, data: bytes) -> None:
    """Write ``target`` as a whole (a temporary file renamed into place), mode 0600."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, FILE_MODE)  # in case the file existed with another mode
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def delete_old_files(outbox: Path, *, now: datetime, retention_days: int) -> int:
    """Delete outbox files last written before the retention cutoff; how many. Files
    kept that others may read (written before files were made private) are made so."""
    if not outbox.is_dir():
        return 0
    cutoff = (now - timedelta(days=retention_days)).timestamp()
    deleted = 0
    for path in outbox.iterdir():
        if not path.is_file():
            continue
        try:
            info = path.stat()
            if info.st_mtime < cutoff:
                path.unlink()
                deleted += 1
            elif info.st_mode & 0o077:
                os.chmod(path, FILE_MODE)
        except FileNotFoundError:  # another process's purge got there first
            continue
    return deleted

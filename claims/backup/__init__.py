"""Backup and restore: the whole database as one portable archive.

:func:`write_backup` streams every table to a gzip-compressed JSON-lines file
that SQLite and PostgreSQL both read; :func:`restore_backup` loads one into an
empty, freshly migrated database of either kind, in one transaction. The
commands are ``manage.py backup`` and ``manage.py restore``; the operator's
guide is docs/OPERATIONS.md ("Back up and restore").
"""

from .archive import ArchiveReader, BackupError, write_backup
from .restore import RestoreResult, restore_backup

__all__ = [
    "ArchiveReader",
    "BackupError",
    "RestoreResult",
    "restore_backup",
    "write_backup",
]

"""Snapshots of the whole published data set, as files readers download."""

from django.db import models


class Snapshot(models.Model):
    """One build of the download files, kept in its own folder of SNAPSHOT_ROOT.

    `files` lists what the folder holds, in the order the page shows them:
    name, title, format, size in bytes and SHA-256 of each file.
    """

    created_at = models.DateTimeField(db_index=True)
    week = models.CharField(max_length=8, help_text="ISO week, e.g. 2026-W49.")
    folder = models.CharField(max_length=40, unique=True)
    files = models.JSONField(default=list)
    totals = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"Snapshot {self.folder}"

    def file(self, name: str) -> dict | None:
        return next((f for f in self.files if f["name"] == name), None)


class RebuildRequest(models.Model):
    """One row: whether a rebuild has been asked for and not started yet.

    Publishing a hundred entries in a row then enqueues one task, not a hundred.
    """

    pending = models.BooleanField(default=False)
    requested_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return "pending" if self.pending else "idle"

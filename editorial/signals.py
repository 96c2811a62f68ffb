"""The one signal the editorial core sends to the apps built on it.

`editorial` knows nothing of the apps that react to published content (mail to
followers, download snapshots); they connect a receiver here instead.
"""

from django.dispatch import Signal

#: Sent after the transaction that changed what readers see has committed, once
#: per service call. Keyword arguments:
#:   entry     the entry (after `delete`, an unsaved copy; use `pk`)
#:   pk        the entry's primary key
#:   action    "publish", "unpublish", "archive" or "delete" (an `AuditEvent.Action`)
#:   revision  the django-reversion `Revision` recorded by the call
#:   minor     True for a minor published change (readers are not told of it)
#:   first     True when the entry was published for the first time
#: `sender` is the entry's model.
public_content_changed = Signal()

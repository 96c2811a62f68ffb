"""Outgoing mail, recorded in the caller's transaction and sent by the worker."""


def __getattr__(name):
    # The public names, imported lazily so that importing the app loads no model.
    if name in {"Mail", "enqueue"}:
        from . import services

        return getattr(services, name)
    raise AttributeError(name)

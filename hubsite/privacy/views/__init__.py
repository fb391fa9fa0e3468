"""The data-protection screens, one module per part: the requests log (``requests``), the
audit log (``audit``), retention periods and runs (``retention``), a person's own data and
consents (``mine``), and erasing a person (``erasure``)."""

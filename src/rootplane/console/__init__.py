"""The web console under ``/console/``: sign-in, sessions, CSRF and server-rendered pages.

Every action a page takes is an API operation sent through the gateway with the signed-in person's console
session credentials (see :mod:`rootplane.console.api`); only sign-in, recovery and sessions are the console's own.
"""

"""The pure domain: the simulated world, with no HTTP and no I/O.

Every rule of the real services lives here once; the doors (``/api``, ``/bot``,
``/_mock``) only parse requests, call these objects and render the results.
"""

"""What an integrator's shop reports: events (``/v1/event``, ``/v2/event``), past events and orders.

Nothing here starts a workflow (the emulator has none): the point is to keep what was sent,
checked by the vendor's rules, so that tests can read it back (``/_mock/events``, ``/_mock/orders``)
and a scenario's ``expect`` can count it.
"""

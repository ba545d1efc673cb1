"""The analyst's daily questions of the registration database (docs/database.md).

``canbao person ID``: one person's state and history; ``canbao decide``: manual decisions
recorded with who, when and why; ``canbao export``: the confirmed registrations with the
registration form's items, for upload into the city or provincial system.
"""

"""Member development (DOMAIN.md §5): the 25 steps and their rules, pure for now.

``steps`` (the steps as data), ``timeline`` (the timeline JSON), ``rules`` (the entry
points ``check_timeline`` and ``next_deadlines``; the rules live in ``candidacy`` and
``admission``), ``votes`` (VOTE-*), ``cli`` (``dangwu rules timeline`` / ``vote``).
"""

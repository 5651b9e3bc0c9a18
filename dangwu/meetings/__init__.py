"""Organizational life (DOMAIN.md §7, LIFE-*): 三会一课, 主题党日, 组织生活会, attendance.

Pure for now: ``choices`` (meeting kinds, attendance statuses), ``periods`` (month, quarter,
year and their labels), ``rules`` (the LIFE-* rules over plain facts, ``today`` a
parameter), ``cli`` (``dangwu rules compliance``).
"""

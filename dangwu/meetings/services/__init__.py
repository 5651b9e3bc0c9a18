"""Every write to organizational life, one module per area (``meetings``: meetings,
attendance, leave, sign-in, minutes, resolutions and files)."""

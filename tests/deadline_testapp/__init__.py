"""A test-only app with a concrete WorkingDayDeadline model (registered only in
procurement/settings/test.py), so the calendar's recomputation is proven on a real table."""

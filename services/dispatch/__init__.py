"""Dispatch: the organisation, routing rules, deadlines and tasks (派遣)."""

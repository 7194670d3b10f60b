"""Signals other apps listen to (apps above households may not be imported here)."""

from django.dispatch import Signal

# Sent with `household_ids` after their priority scores changed (a member's flags, age or
# status): the visits app works their next due date out again.
priority_changed = Signal()

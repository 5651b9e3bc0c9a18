"""In-app notifications (reminders) computed from the data by a scheduled job."""

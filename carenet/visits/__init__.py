"""Field work: home visits, assessments, concerns and follow-up (see models.py)."""

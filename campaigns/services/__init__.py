"""Writes (HackSoft style): one module per area; core holds campaigns, parties, team, deliverables, RACI."""

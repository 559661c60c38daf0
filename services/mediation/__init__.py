"""Mediation: the six-station desk (reception, triage, dispute mediation, legal
services, supervision, residents' council): cases opened from walk-ins and
escalations, people's mediation with its agreements, legal advice, supervision
and follow-up visits, and the residents' council's decisions."""

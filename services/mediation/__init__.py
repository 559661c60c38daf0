"""Mediation: the six-station desk (reception, triage, dispute mediation, legal
services, supervision, residents' council). Running with its health check and
its subscriptions; cases, sessions and agreements come with the mediation issue."""

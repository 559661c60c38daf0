"""Scoring: households, village rules, the points ledger and the reward fund.
Running with its health check and its subscriptions; the ledger comes with the
civility points issue."""

"""Scoring: households, the village rules (村规民约) as versioned points rules, an
append-only points ledger with publication (公示) and objections, fund periods
settled to the fen, and staff performance (网格化管理奖惩) counted from task events."""

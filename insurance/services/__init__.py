"""Writes of the insurance app, by topic: `standards` (the yearly run, review, publication)
and `ledger` (budgets, deductions, shields, quality deposits)."""

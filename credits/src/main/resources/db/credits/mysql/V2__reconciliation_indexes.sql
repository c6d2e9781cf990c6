-- GET /api/reconciliation reads one window of usage charges and of holds by their creation time.
CREATE INDEX ix_ledger_created ON ledger_entries (created_at_ms);
CREATE INDEX ix_holds_created ON holds (created_at_ms);

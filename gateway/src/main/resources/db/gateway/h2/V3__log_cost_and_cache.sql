-- The exact cost of each request in USD (letaicode tokens are charged this, not the integer quota) and new-api's
-- "other" field: the ratios and cache tokens the charge was computed with (JSON text).
ALTER TABLE logs ADD COLUMN cost_usd DECIMAL(38, 18) NOT NULL DEFAULT 0;
ALTER TABLE logs ADD COLUMN other VARCHAR(2000) NOT NULL DEFAULT '';

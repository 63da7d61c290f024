-- Conflicts that act (issue 14): what a resolution did here and whether the central server has it.
-- void_id: the void of the refused sale (move and refund); moved_to: the sale the customer was moved
-- to; server_recorded_at: when the server recorded the resolution (NULL: the next resolve sends it).
ALTER TABLE sync_conflicts ADD COLUMN void_id TEXT;
ALTER TABLE sync_conflicts ADD COLUMN moved_to TEXT;
ALTER TABLE sync_conflicts ADD COLUMN server_recorded_at INTEGER;

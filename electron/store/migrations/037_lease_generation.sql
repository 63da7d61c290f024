-- An offline sale from a lease the server lost is taken back, not refused (issue 14, docs/soak.md
-- finding 10). Each lease notes the server generation this terminal had seen when it was granted:
-- a sale reported from it that the server answers UNKNOWN_LEASE under another generation (restored
-- from a backup older than the lease) is re-sent as a recovered sale.
--   generation  NULL: granted before this version, or before the terminal heard a generation.
ALTER TABLE sync_leases ADD COLUMN generation TEXT;

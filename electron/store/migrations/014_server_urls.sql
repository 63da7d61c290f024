-- Every URL the venue's central server answers on (issue 12): several instances on one database. The
-- terminal fails over between them; server_url stays the first. NULL: server_url alone.
ALTER TABLE sync_credentials ADD COLUMN server_urls TEXT CHECK (server_urls IS NULL OR json_valid(server_urls));

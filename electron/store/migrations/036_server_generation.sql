-- A server that lost data is noticed (issue 14). Every sale the central server acknowledged, with the
-- server generation (a random id the server mints with its database and again at every restore) that
-- last confirmed it. When the heartbeat names another generation, the sync engine re-sends each sale
-- not confirmed by it (recoverSale), so a server restored from an older backup gets them back.
--   transaction_id  this store's id of the sale (an offline sale's own id);
--   server_id       the server's id of it (the same for an online sale);
--   generation      NULL: acknowledged before this terminal knew generations (re-sent at the first change).
-- The generation last seen is sync_state 'server_generation'.
CREATE TABLE sync_server_sales (
  transaction_id  TEXT    PRIMARY KEY,
  server_id       TEXT    NOT NULL,
  outbox_id       INTEGER NOT NULL REFERENCES sync_outbox(id),
  generation      TEXT
);
CREATE INDEX sync_server_sales_by_generation ON sync_server_sales(generation);

-- The sales acknowledged before this version: online sales (complete, or the payment that completed a
-- deposit) and offline sales reported from a lease.
INSERT OR IGNORE INTO sync_server_sales (transaction_id, server_id, outbox_id, generation)
SELECT json_extract(body, CASE op WHEN 'leaseSale' THEN '$.saleId' ELSE '$.transactionId' END),
       COALESCE(json_extract(reply, '$.result.transactionId'), json_extract(body, '$.transactionId')),
       id, NULL
FROM sync_outbox
WHERE acked_at IS NOT NULL AND reply_status BETWEEN 200 AND 299 AND json_valid(reply)
  AND json_extract(reply, '$.error') IS NULL
  AND (op = 'leaseSale' OR (op IN ('complete', 'pay') AND json_extract(reply, '$.result.status') = 'COMPLETED'));

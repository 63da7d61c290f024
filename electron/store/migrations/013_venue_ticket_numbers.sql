-- The venue's ticket numbers (issue 12): an enrolled terminal prints the number the central server
-- recorded for each place (online sales and deposits), or the one its lease's block gave an offline
-- sale. Written by the sync engine in the same write that copies (or makes) the sale; read by the
-- print-job writer. `place` counts standing places within one ticket (1 for a seat).
CREATE TABLE venue_ticket_numbers (
  number          INTEGER PRIMARY KEY,
  transaction_id  TEXT    NOT NULL,
  seat_id         INTEGER,
  zone_id         INTEGER NOT NULL,
  place           INTEGER NOT NULL CHECK (place >= 1)
);
CREATE INDEX venue_ticket_numbers_by_transaction ON venue_ticket_numbers(transaction_id);

// Worker thread: checkpoints the WAL of one database file on its own connection, so the connection
// that sells never pays for the fsyncs of a checkpoint. Plain JavaScript: it runs without tsx.
//
// Past `walLimitBytes` the WAL must be emptied (TRUNCATE), which needs a moment with no writer. When
// the selling connection does that itself (`sellerTruncates`, see startBackgroundCheckpoints), this
// worker steps aside while the WAL is over the limit, so the two never collide on the checkpoint lock;
// otherwise it truncates the WAL itself.
import { statSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, intervalMs, sellerTruncates } = workerData;
// The seller sends the limit it truncates at (it shrinks as the disk fills): both use the same one.
let walLimitBytes = workerData.walLimitBytes;
const db = new Database(file);
db.pragma('busy_timeout = 1000');

function walBytes() {
  try {
    return statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
}

const timer = setInterval(() => {
  try {
    const over = walBytes() > walLimitBytes;
    if (!over) db.pragma('wal_checkpoint(PASSIVE)');
    else if (!sellerTruncates) db.pragma('wal_checkpoint(TRUNCATE)');
  } catch {
    // Busy or closed: the next tick tries again.
  }
}, intervalMs);

parentPort.on('message', (message) => {
  if (typeof message === 'object' && message !== null) {
    walLimitBytes = message.walLimitBytes;
    return;
  }
  if (message !== 'stop') return;
  clearInterval(timer);
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } finally {
    db.close();
    parentPort.postMessage('stopped');
  }
});

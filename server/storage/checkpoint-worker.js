// Worker thread: checkpoints the WAL of the server database on its own connection, so the writer
// never pays for the fsyncs of a checkpoint (same as the terminal's). Plain JavaScript: runs without tsx.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or closed: the next tick tries again.
  }
}, workerData.intervalMs);

parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } finally {
    db.close();
    parentPort.postMessage('stopped');
  }
});

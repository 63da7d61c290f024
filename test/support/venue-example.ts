import { fileURLToPath } from 'node:url';

/** The example event the operator's guide (docs/server-and-sync.md) defines with define-event. */
export const EXAMPLE_EVENT = fileURLToPath(new URL('../../docs/examples/event.json', import.meta.url));

import type { VirtualPrinter } from '../../../electron/services/printing/virtual-printer.ts';

/** The text of the documents the printer cut after the first `from`, once there are `count` of them. */
export async function printedDocuments(
  printer: VirtualPrinter,
  from: number,
  count: number,
  timeoutMs = 10_000,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  while (printer.documents.length < from + count) {
    if (Date.now() > deadline) {
      const got = printer.documents.slice(from).map((d) => d.text);
      throw new Error(`expected ${count} printed documents, got ${got.length}:\n${got.join('\n---\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return printer.documents.slice(from, from + count).map((d) => d.text);
}

/**
 * A CSV as a data: URL for an <a download> link. A byte-order mark first, so spreadsheet programs
 * read the accents (Pago Móvil) as UTF-8. data: rather than blob: keeps to the page's CSP.
 */
export function csvDataUrl(csv: string): string {
  return `data:text/csv;charset=utf-8,${encodeURIComponent(`\uFEFF${csv}`)}`;
}

import type { CharacterSetName } from '../../../shared/schemas/printing.ts';
import { CODE_PAGES } from './code-pages.ts';

/**
 * Text a thermal printer can print in one code page. Characters the page holds print as they are;
 * characters it lacks are replaced by what a reader expects (TRANSLITERATION), never by "?" when
 * there is a fair equivalent, and the printer never has to switch pages mid-line.
 */

/** The ESC t number of each code page (Epson numbering; the decoder reads the same table). */
export const CODE_PAGE_NUMBER: Record<CharacterSetName, number> = {
  PC858_EURO: 19,
  PC850_MULTILINGUAL: 2,
  WPC1252: 16,
};

/**
 * What to print for a character the code page lacks. Typographic quotes and dashes come from word
 * processors and phones (event names, customer names); currency and symbols from the back office.
 */
export const TRANSLITERATION: Readonly<Record<string, string>> = {
  '\u2018': "'", // ‘
  '\u2019': "'", // ’
  '\u201a': "'", // ‚
  '\u201b': "'", // ‛
  '\u2032': "'", // ′
  '\u201c': '"', // “
  '\u201d': '"', // ”
  '\u201e': '"', // „
  '\u201f': '"', // ‟
  '\u2033': '"', // ″
  '\u00ab': '"', // « (PC850/858/1252 have it; a fallback for pages that do not)
  '\u00bb': '"', // »
  '\u2039': '<', // ‹
  '\u203a': '>', // ›
  '\u2010': '-', // ‐ hyphen
  '\u2011': '-', // ‑ non-breaking hyphen
  '\u2012': '-', // ‒ figure dash
  '\u2013': '-', // – en dash
  '\u2014': '-', // — em dash
  '\u2015': '-', // ― horizontal bar
  '\u2212': '-', // − minus
  '\u2026': '...', // …
  '\u2022': '*', // •
  '\u00b7': '.', // · (1252 has it)
  '\u2122': '(TM)', // ™
  '\u00ae': '(R)', // ®
  '\u00a9': '(C)', // ©
  '\u20ac': 'EUR', // € (PC850 lacks it; PC858 and 1252 have it)
  '\u00bd': '1/2',
  '\u00bc': '1/4',
  '\u00be': '3/4',
  '\u00d7': 'x', // ×
  '\u00f7': '/', // ÷
  '\u00ba': 'o', // º as in N.º on a page without it
  '\u00aa': 'a', // ª
  '\u00b0': 'o', // °
  '\u00a0': ' ', // no-break space
  '\u202f': ' ', // narrow no-break space (Intl's dates and money)
  '\u2009': ' ', // thin space
  '\u2007': ' ', // figure space
  '\u200b': '', // zero-width space
  '\u00ad': '', // soft hyphen
};

const printableSets = new Map<CharacterSetName, Set<string>>();
function printableSet(cs: CharacterSetName): Set<string> {
  let set = printableSets.get(cs);
  if (!set) {
    set = new Set([...CODE_PAGES[CODE_PAGE_NUMBER[cs]]!.high].filter((c) => c !== '\ufffd'));
    printableSets.set(cs, set);
  }
  return set;
}

/** Whether one character prints as itself in the code page. */
export function inCodePage(ch: string, cs: CharacterSetName): boolean {
  const code = ch.codePointAt(0)!;
  return (code >= 0x20 && code < 0x7f) || printableSet(cs).has(ch);
}

/**
 * The text as the code page can print it: kept, transliterated (table above), stripped of an accent
 * the page lacks, or "?" as the last resort. Control characters are dropped (they would be commands).
 */
export function printable(text: string, cs: CharacterSetName): string {
  let out = '';
  for (const ch of text.normalize('NFC')) {
    if (inCodePage(ch, cs)) {
      out += ch;
      continue;
    }
    const code = ch.codePointAt(0)!;
    if (code < 0x20 || code === 0x7f) continue;
    const table = TRANSLITERATION[ch];
    if (table !== undefined) {
      out += table; // plain ASCII: every page has it
      continue;
    }
    const bare = ch.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    out += bare.length > 0 && [...bare].every((c) => inCodePage(c, cs)) ? bare : '?';
  }
  return out;
}

/**
 * What both command lines (`taquilla`, `taquilla-server`) do to their arguments before node's
 * parseArgs reads them. No Node imports: the option table is parseArgs' own shape.
 */

/** An option as parseArgs declares it (only what this needs). */
export interface CliOptionShape {
  type: 'string' | 'boolean';
}

/**
 * Joins `--minutes -5` into `--minutes=-5` when `--minutes` takes a value and the next argument is a
 * negative number, so the value reaches the command's own check ("--minutes must be …, got '-5'")
 * instead of parseArgs' refusal of a value that looks like an option ("argument is ambiguous").
 * Anything else is left as it is.
 */
export function joinNegativeValues(
  argv: readonly string[],
  options: Readonly<Record<string, CliOptionShape>>,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : null;
    if (name !== null && options[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

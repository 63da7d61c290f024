/**
 * What both command lines (`taquilla`, `taquilla-server`) do to their arguments before node's
 * parseArgs reads them. No Node imports: the option table is parseArgs' own shape.
 */

/** An option as parseArgs declares it (only what this needs). */
export interface CliOptionShape {
  type: 'string' | 'boolean';
}

/**
 * Joins `--minutes -5` into `--minutes=-5` when `--minutes` takes a value and the next argument begins
 * with one dash and is not a short option (`-h`): a negative number reaches the command's own check
 * ("--minutes must be …, got '-5'"), and a value such as a ticket key id (base64url, which may begin
 * with '-') is read as the value, instead of parseArgs' refusal ("argument is ambiguous"). A next
 * argument with two dashes stays an option (a mistyped one is refused as such). Anything else is
 * left as it is; `--name=-value` always works.
 */
export function joinDashValues(
  argv: readonly string[],
  options: Readonly<Record<string, CliOptionShape & { short?: string }>>,
): string[] {
  const shorts = new Set(Object.values(options).flatMap((o) => (o.short ? [`-${o.short}`] : [])));
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      // Everything after it is positional, as given.
      out.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : null;
    if (
      name !== null &&
      options[name]?.type === 'string' &&
      next !== undefined &&
      next.length > 1 &&
      next.startsWith('-') &&
      !next.startsWith('--') &&
      !shorts.has(next)
    ) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

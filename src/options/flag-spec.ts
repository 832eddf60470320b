/**
 * The shape of one entry in the flag table, and the parse state flags may write besides the options.
 */
import type { ServerOptions } from './server-options.ts';

/** The kind of argument a flag takes; `none` takes none (`--help`). */
export type ArgKind = 'none' | 'bool' | 'int' | 'int64' | 'float' | 'string';

/** One command line flag. */
export interface FlagSpec {
  readonly name: string;
  /** Flags sharing an id are aliases (getopt treats them as one option when matching prefixes). */
  readonly id: string;
  readonly kind: ArgKind;
  /** The default as the help text shows it. */
  readonly shown: string;
  readonly help: string;
  /** Applies the flag's value; throws BadValue (flag-values.ts) for a value Triton refuses. */
  readonly apply: (options: ServerOptions, value: string, state: ParseState) => void;
}

/** What parsing needs beyond the options themselves. */
export interface ParseState {
  strictModelConfig: boolean;
  disableAutoComplete: boolean;
}

/** A FlagSpec; `apply` defaults to ignoring the value, `id` to the name. */
export function flag(
  name: string,
  kind: ArgKind,
  shown: string,
  help: string,
  apply: FlagSpec['apply'] = () => undefined,
  id = name,
): FlagSpec {
  return { name, id, kind, shown, help, apply };
}

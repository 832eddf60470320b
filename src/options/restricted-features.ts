/**
 * `--http-restricted-api` and `--grpc-restricted-protocol`: Triton's restricted-feature categories and its parsing of
 * `<category>[,<category>...]:<header>=<value>` (ParseRestrictedFeatureOption in command_line_parser.cc), with its
 * error texts.
 */
import { BadValue } from './flag-values.ts';

/** Triton's category names, in its order (restricted_features.h). */
export const RESTRICTED_CATEGORIES = [
  'health',
  'metadata',
  'inference',
  'shared-memory',
  'model-config',
  'model-repository',
  'statistics',
  'trace',
  'logging',
] as const;

export type RestrictedCategory = (typeof RESTRICTED_CATEGORIES)[number];

/** The header a request must carry, and its exact value. */
export interface Restriction {
  readonly header: string;
  readonly value: string;
}

/** The restricted categories of one protocol; a category absent here is open to everyone. */
export type Restrictions = Partial<Record<RestrictedCategory, Restriction>>;

/** The metadata key prefix Triton puts before a `--grpc-restricted-protocol` header (kRestrictedProtocolHeaderTemplate). */
export const GRPC_RESTRICTED_HEADER_PREFIX = 'triton-grpc-protocol-';

/**
 * Adds one flag's groups to `into`. `flagName` and `featureType` ("api" or "protocol") go into the error texts;
 * `headerPrefix` is put before the header name. A category may be restricted once across all of a flag's uses.
 */
export function addRestrictions(
  into: Restrictions,
  arg: string,
  flagName: string,
  featureType: 'api' | 'protocol',
  headerPrefix = '',
): void {
  const { names, header, value } = parseGroup(arg, flagName);
  // Triton's SplitOptions keeps empty pieces, so "health," names the unknown category ''.
  for (const name of names.split(',')) {
    const category = RESTRICTED_CATEGORIES.find((c) => c === name);
    if (category === undefined) throw new BadValue(`unknown restricted ${featureType} '${name}' `);
    if (into[category] !== undefined) {
      throw new BadValue(`restricted ${featureType} '${name}' can not be specified in multiple config groups`);
    }
    into[category] = { header: headerPrefix + header, value };
  }
}

/** Triton's ParseGenericConfigOption with ':' and '=': the first ':' ends the names, the next '=' the header. */
function parseGroup(arg: string, flagName: string): { names: string; header: string; value: string } {
  const colon = arg.indexOf(':');
  const eq = arg.indexOf('=', colon + 1);
  const names = arg.slice(0, colon);
  const header = arg.slice(colon + 1, eq);
  const value = arg.slice(eq + 1);
  if (colon < 0 || eq < 0 || names === '' || header === '' || value === '') {
    throw new BadValue(`--${flagName} option format is '<config name>:<setting>=<value>'. Got ${arg}`);
  }
  return { names, header, value };
}

/**
 * Reading the process environment without `--allow-env` failing the
 * command: an unreadable variable reads as unset, which is what every caller
 * (sinks, credentials, HELIX_* fields, plugin config) wants.
 *
 * @module
 */

/** `name` from the environment, or undefined when unset or not readable. */
export function processEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no --allow-env: as if unset
  }
}

/** `name` from the environment; set but empty reads as unset too (URLs, tokens). */
export function nonEmptyEnv(name: string): string | undefined {
  return processEnv(name) || undefined;
}

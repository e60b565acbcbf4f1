/**
 * Where plugins files live. Kept apart from `config.ts` (which pulls in the
 * YAML parser and the external-plugin runner) so a run can find out that
 * there is nothing to load without loading any of that.
 *
 * @module
 */
import { join } from "../fs/paths.ts";

/** Where a repository may declare plugins (relative to its root). */
export const REPO_PLUGINS_PATH = ".kaizen/plugins.yml";

/** The default host plugins file, or undefined when neither variable is usable. */
export function defaultHostFile(env: (k: string) => string | undefined): string | undefined {
  const xdg = env("XDG_CONFIG_HOME");
  // The XDG spec says a relative value is invalid and must be ignored.
  if (xdg && xdg.startsWith("/")) return join(xdg, "kaizen/plugins.yml");
  const home = env("HOME");
  if (home && home.startsWith("/")) return join(home, ".config/kaizen/plugins.yml");
  return undefined;
}

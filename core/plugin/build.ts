/**
 * The one registry builder. Every command that runs or shows plugins
 * (`prepare`, `plugins list`, `mcp`, `doctor`) builds its registry here, so
 * what `plugins list` shows, what doctor's dry prepare runs and what
 * `prepare` runs are the same set.
 *
 * Core never names the built-in plugin: the entry points (cli.ts, mod.ts, a
 * team's binary) hand it in as {@link PluginSources}.
 *
 * @module
 */
import { processEnv } from "../env.ts";
import { join, resolve } from "../fs/paths.ts";
import { defaultHostFile, REPO_PLUGINS_PATH } from "./locations.ts";
import { PluginRegistry } from "./registry.ts";
import type { Plugin } from "./types.ts";

/** The in-process plugins a run starts from, as the entry point hands them in. */
export interface PluginSources {
  /** kaizen's own plugins (origin `built-in`). */
  builtins: readonly Plugin[];
  /** Plugins a team binary registered through `runCli` (origin `embedded`). */
  embedded: readonly Plugin[];
}

/** Where plugins files are looked up and whether the repo's own file may run. */
export interface PluginSetup {
  /** The target repository (its `.kaizen/plugins.yml`); undefined: no repository file. */
  root?: string;
  /** `--plugins FILE`: replaces the default host file and must exist. */
  pluginsFile?: string;
  /** `--trust-repo-plugins`. */
  trustRepoPlugins: boolean;
  notice: (message: string) => void;
  /** Environment (`XDG_CONFIG_HOME`, plugins' pass-through); default: the process's. */
  env?: (name: string) => string | undefined;
}

/**
 * The built-ins and the embedded plugins, registered in that order. Sync and
 * cheap: the CLI calls it before parsing, for the sinks' declared options.
 * Throws `PluginDefinitionError` for a malformed or clashing plugin.
 */
export function inProcessRegistry(sources: PluginSources): PluginRegistry {
  const registry = new PluginRegistry();
  for (const p of sources.builtins) registry.add(p, { kind: "builtin" });
  for (const p of sources.embedded) registry.add(p, { kind: "embedded" });
  return registry;
}

/**
 * The registry a run uses: {@link inProcessRegistry}, then the
 * external-command plugins of the host plugins file (and, when trusted, the
 * repo's). A bad plugins file (`PluginConfigError`) or plugin
 * (`PluginDefinitionError`) is thrown as it is: both exit 1.
 *
 * @example
 * ```ts
 * const registry = await buildRegistry({ builtins: [builtinPlugin], embedded: [] }, {
 *   root: "/srv/checkouts/widgets",
 *   trustRepoPlugins: false,
 *   notice: (m) => console.error(m),
 * });
 * ```
 */
export async function buildRegistry(
  sources: PluginSources,
  setup: PluginSetup,
): Promise<PluginRegistry> {
  const registry = inProcessRegistry(sources);
  await loadPluginsInto(registry, setup);
  return registry;
}

/** `--plugins` and `--trust-repo-plugins` as a {@link PluginSetup} needs them. */
export function pluginFlags(
  opts: { readonly plugins?: string; readonly "trust-repo-plugins"?: boolean },
): { pluginsFile?: string; trustRepoPlugins: boolean } {
  return {
    pluginsFile: typeof opts.plugins === "string" ? opts.plugins : undefined,
    trustRepoPlugins: opts["trust-repo-plugins"] === true,
  };
}

/**
 * Adds the external-command plugins declared in the host plugins file (and,
 * when trusted, the repo's `.kaizen/plugins.yml`) to `registry`. The loader is
 * imported only here, so runs without plugins files stay lean.
 */
async function loadPluginsInto(registry: PluginRegistry, setup: PluginSetup): Promise<void> {
  const env = setup.env ?? processEnv;
  if (setup.pluginsFile === undefined && !anyPluginsFile(setup.root, env)) return;
  const { loadPluginConfigs } = await import("./config.ts");
  const loaded = await loadPluginConfigs({
    root: setup.root,
    pluginsFile: setup.pluginsFile,
    trustRepoPlugins: setup.trustRepoPlugins,
    env,
  });
  for (const n of loaded.notices) setup.notice(n);
  for (const { plugin, origin } of loaded.plugins) registry.add(plugin, origin);
}

/** `path` when something exists there (`lstat` never blocks, even on a FIFO). */
function existing(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  try {
    Deno.lstatSync(path);
    return path;
  } catch {
    return undefined;
  }
}

/**
 * The host's default plugins file (`$XDG_CONFIG_HOME/kaizen/plugins.yml`)
 * when it exists: what a run without `--plugins` reads.
 */
export function existingHostPluginsFile(
  env: (name: string) => string | undefined,
): string | undefined {
  return existing(defaultHostFile(env));
}

/**
 * True when a default plugins file (host or repo) exists. Checked before the
 * loader is imported: most runs have none, and the loader brings the YAML
 * parser and the external-plugin runner with it. The loader itself decides
 * what an existing file means.
 */
function anyPluginsFile(
  root: string | undefined,
  env: (name: string) => string | undefined,
): boolean {
  const repo = root === undefined ? undefined : join(resolve(root), REPO_PLUGINS_PATH);
  return existingHostPluginsFile(env) !== undefined || existing(repo) !== undefined;
}

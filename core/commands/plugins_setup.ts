import { builtinPlugin } from "../../plugins/builtin/mod.ts";
import { processEnv } from "../env.ts";
import type { OptionsOf } from "../cli/framework.ts";
import type { PLUGIN_OPTIONS } from "./options.ts";
import { CliError } from "../cli/io.ts";
import { PluginDefinitionError } from "../plugin/define.ts";
import { PluginRegistry } from "../plugin/registry.ts";
import type { Plugin } from "../plugin/types.ts";
import { defaultHostFile, REPO_PLUGINS_PATH } from "../plugin/locations.ts";
import { join, resolve } from "../fs/paths.ts";

/** Where plugins files are looked up and whether the repo's own file may run. */
export interface PluginSetup {
  root: string;
  pluginsFile?: string;
  trustRepoPlugins: boolean;
  notice: (message: string) => void;
  /** Environment (`XDG_CONFIG_HOME`, plugins' pass-through); default: the process's. */
  env?: (name: string) => string | undefined;
}

/**
 * Adds the external-command plugins declared in the host plugins file (and,
 * when trusted, the repo's `.kaizen/plugins.yml`) to `registry`. The loader is
 * imported only here, so runs without plugins files stay lean.
 */
export async function loadPluginsInto(registry: PluginRegistry, setup: PluginSetup): Promise<void> {
  const env = setup.env ?? processEnv;
  if (setup.pluginsFile === undefined && !anyPluginsFile(setup.root, env)) return;
  const { loadPluginConfigs, PluginConfigError } = await import("../plugin/config.ts");
  let loaded;
  try {
    loaded = await loadPluginConfigs({
      root: setup.root,
      pluginsFile: setup.pluginsFile,
      trustRepoPlugins: setup.trustRepoPlugins,
      env,
    });
  } catch (err) {
    if (err instanceof PluginConfigError) throw new CliError(err.message, 1);
    throw err;
  }
  for (const n of loaded.notices) setup.notice(n);
  for (const { plugin, origin } of loaded.plugins) {
    try {
      registry.add(plugin, origin);
    } catch (err) {
      if (err instanceof PluginDefinitionError) throw new CliError(err.message, 1);
      throw err;
    }
  }
}

/**
 * True when a default plugins file (host or repo) exists. Checked before the
 * loader is imported: most runs have none, and the loader brings the YAML
 * parser and the external-plugin runner with it. `lstat` never blocks, even
 * on a FIFO; the loader itself decides what an existing file means.
 */
function anyPluginsFile(root: string, env: (name: string) => string | undefined): boolean {
  const host = defaultHostFile(env);
  return [host, join(resolve(root), REPO_PLUGINS_PATH)].some((path) => {
    if (path === undefined) return false;
    try {
      Deno.lstatSync(path);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * The registry a run uses: the built-ins, the plugins a custom entry point
 * embedded, and the external ones the `--plugins` / `--trust-repo-plugins`
 * flags of `inv` allow. `prepare` and `plugins list` both build it here, so
 * the list always shows exactly what prepare would run.
 */
export async function buildRegistry(
  inv: { opts: OptionsOf<typeof PLUGIN_OPTIONS> },
  root: string,
  embedded: readonly Plugin[],
  notice: (message: string) => void,
): Promise<PluginRegistry> {
  const registry = new PluginRegistry();
  registry.add(builtinPlugin, { kind: "builtin" });
  for (const p of embedded) registry.add(p, { kind: "embedded" });
  await loadPluginsInto(registry, {
    root,
    pluginsFile: typeof inv.opts.plugins === "string" ? inv.opts.plugins : undefined,
    trustRepoPlugins: inv.opts["trust-repo-plugins"] === true,
    notice,
  });
  return registry;
}

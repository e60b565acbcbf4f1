import { builtinPlugin } from "../../plugins/builtin/mod.ts";
import type { Invocation } from "../cli/framework.ts";
import { CliError } from "../cli/io.ts";
import { PluginDefinitionError } from "../plugin/define.ts";
import { PluginRegistry } from "../plugin/registry.ts";
import type { Plugin } from "../plugin/types.ts";

/** Where plugins files are looked up and whether the repo's own file may run. */
export interface PluginSetup {
  root: string;
  pluginsFile?: string;
  trustRepoPlugins: boolean;
  notice: (message: string) => void;
}

/**
 * Adds the external-command plugins declared in the host plugins file (and,
 * when trusted, the repo's `.kaizen/plugins.yml`) to `registry`. The loader is
 * imported only here, so runs without plugins files stay lean.
 */
export async function loadPluginsInto(registry: PluginRegistry, setup: PluginSetup): Promise<void> {
  const { loadPluginConfigs, PluginConfigError } = await import("../plugin/config.ts");
  let loaded;
  try {
    loaded = await loadPluginConfigs({
      root: setup.root,
      pluginsFile: setup.pluginsFile,
      trustRepoPlugins: setup.trustRepoPlugins,
      env: (k) => {
        try {
          return Deno.env.get(k);
        } catch {
          return undefined;
        }
      },
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
 * The registry a run uses: the built-ins, the plugins a custom entry point
 * embedded, and the external ones the `--plugins` / `--trust-repo-plugins`
 * flags of `inv` allow. `prepare` and `plugins list` both build it here, so
 * the list always shows exactly what prepare would run.
 */
export async function buildRegistry(
  inv: Invocation,
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

import { CliError } from "../cli/io.ts";
import { PluginDefinitionError } from "../plugin/define.ts";
import type { PluginRegistry } from "../plugin/registry.ts";

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

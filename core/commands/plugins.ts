import type { Invocation } from "../cli/framework.ts";
import { warn } from "../cli/io.ts";
import { builtinPlugin } from "../../plugins/builtin/mod.ts";
import { PluginRegistry } from "../plugin/registry.ts";
import type { Plugin } from "../plugin/types.ts";
import { loadPluginsInto } from "./plugins_setup.ts";
import { resolveTarget } from "./target.ts";

/** `kaizen plugins list`: builds the same registry prepare would, then reports it. */
export async function pluginsList(
  inv: Invocation,
  runtime: { program: string; plugins: readonly Plugin[] },
): Promise<number> {
  const root = await resolveTarget(inv.opts.target);
  const registry = new PluginRegistry();
  registry.add(builtinPlugin, { kind: "builtin" });
  for (const p of runtime.plugins) registry.add(p, { kind: "embedded" });
  const notices: string[] = [];
  await loadPluginsInto(registry, {
    root,
    pluginsFile: typeof inv.opts.plugins === "string" ? inv.opts.plugins : undefined,
    trustRepoPlugins: inv.opts["trust-repo-plugins"] === true,
    notice: (m) => {
      notices.push(m);
      warn(runtime.program, m, "notice");
    },
  });
  const { pluginsListCommand } = await import("./plugins_list.ts");
  return pluginsListCommand(inv, registry, notices);
}

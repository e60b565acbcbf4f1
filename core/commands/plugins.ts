import type { TypedInvocation } from "../cli/framework.ts";
import type { PLUGINS_LIST_OPTIONS } from "./options.ts";
import { warn } from "../cli/io.ts";
import { buildRegistry, pluginFlags, type PluginSources } from "../plugin/build.ts";
import { resolveTarget } from "./target.ts";

/** `kaizen plugins list`: builds the same registry prepare would, then reports it. */
export async function pluginsList(
  inv: TypedInvocation<typeof PLUGINS_LIST_OPTIONS>,
  runtime: { program: string; plugins: PluginSources },
): Promise<number> {
  const root = await resolveTarget(inv.opts.target);
  const notices: string[] = [];
  const registry = await buildRegistry(runtime.plugins, {
    root,
    ...pluginFlags(inv.opts),
    notice: (m) => {
      notices.push(m);
      warn(runtime.program, m, "notice");
    },
  });
  const { pluginsListCommand } = await import("./plugins_list.ts");
  return pluginsListCommand(inv, registry, notices);
}

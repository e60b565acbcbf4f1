/**
 * `kaizen plugins list`: which plugins this run would load, from where, and
 * what each contributes — so "why is this section in my bundle?" has an
 * answer without reading code.
 *
 * @module
 */
import type { TypedInvocation } from "../cli/framework.ts";
import type { PLUGINS_LIST_OPTIONS } from "./options.ts";
import { stdout } from "../cli/io.ts";
import type { PluginOrigin, PluginRegistry } from "../plugin/registry.ts";
import { printable } from "../text/printable.ts";
import { renderTable } from "../text/table.ts";

/** One plugin as `plugins list --format json` prints it. */
export interface ListedPlugin {
  name: string;
  version: string | null;
  api_version: number;
  origin: PluginOrigin;
  sections: {
    id: string;
    title: string;
    order: number;
    priority: number | null;
    required: boolean;
  }[];
  sinks: { name: string }[];
}

/**
 * Prints the loaded plugins as a table (default) or JSON. `notices` (e.g. an
 * ignored repo plugins file) are the caller's to print on stderr; the JSON
 * output carries them too, so scripts see why a plugin is absent.
 */
export function pluginsListCommand(
  inv: TypedInvocation<typeof PLUGINS_LIST_OPTIONS>,
  registry: PluginRegistry,
  notices: string[],
): Promise<number> {
  const plugins: ListedPlugin[] = registry.list().map(({ plugin, origin }) => ({
    name: plugin.name,
    version: plugin.version ?? null,
    api_version: plugin.apiVersion,
    origin,
    sections: (plugin.sections ?? []).map((s) => ({
      id: s.id,
      title: s.title,
      order: s.order,
      priority: s.required ? null : s.priority ?? null,
      required: s.required === true,
    })),
    sinks: (plugin.sinks ?? []).map((k) => ({ name: k.name })),
  }));

  if (inv.opts.format === "json") {
    stdout(JSON.stringify({ plugins, notices }, null, 2) + "\n");
    return Promise.resolve(0);
  }
  const rows = plugins.map((p) =>
    [
      p.name,
      p.version ?? "-",
      originText(p.origin),
      p.sections.map((s) => `${s.id} (${s.order})`).join(", ") || "-",
      p.sinks.map((k) => k.name).join(", ") || "-",
    ].map((cell) => printable(cell, 200))
  );
  stdout(renderTable(["PLUGIN", "VERSION", "ORIGIN", "SECTIONS (ORDER)", "SINKS"], rows));
  return Promise.resolve(0);
}

function originText(origin: PluginOrigin): string {
  switch (origin.kind) {
    case "builtin":
      return "built-in";
    case "embedded":
      return "embedded";
    case "external":
      return `external: ${origin.file}`;
  }
}

import { KaizenError } from "../errors.ts";
import { printable } from "../text/printable.ts";
import { type Plugin, PLUGIN_API_VERSION, SUMMARY_FIELDS } from "./types.ts";

const ID = /^[a-z0-9][a-z0-9-]*$/;
const FLAG = /^[a-z][a-z0-9-]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const OPTION_KINDS: readonly string[] = ["string", "boolean", "number", "duration"];

/**
 * Raised when a plugin object is malformed: code `plugin-definition`, the
 * plugin's name as data (`plugin`), the problem as `detail`; `message` says
 * both (`plugin 'x': name must match …`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { definePlugin, PluginDefinitionError } from "../../mod.ts";
 *
 * const notes = { id: "Team Notes", title: "Notes", order: 450, collect: () => null }; // not an id
 * assert.throws(
 *   () => definePlugin({ name: "team", apiVersion: 1, sections: [notes] }),
 *   (err) => {
 *     assert.ok(err instanceof PluginDefinitionError);
 *     assert.equal(err.code, "plugin-definition");
 *     assert.equal(err.plugin, "team"); // the place is data, and in the message
 *     assert.ok(err.message.startsWith("plugin 'team': "));
 *     return true;
 *   },
 * );
 * ```
 */
export class PluginDefinitionError extends KaizenError {
  override name = "PluginDefinitionError";
  /** The plugin's name (or `<unnamed>`), made printable. */
  declare readonly plugin: string;
  constructor(plugin: string, message: string) {
    // The name may be anything a malformed plugin carries: one short printable line.
    super("plugin-definition", printable(message, 300), { plugin: printable(plugin, 100) });
  }
}

/**
 * Declares a plugin, checking its shape up front so mistakes surface when the
 * plugin is loaded rather than halfway through a bundle.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { definePlugin, PluginDefinitionError } from "../../mod.ts";
 *
 * // A plugin module's default export:
 * const oncall = definePlugin({
 *   name: "team-oncall",
 *   apiVersion: 1,
 *   sections: [{
 *     id: "oncall",
 *     title: "On call",
 *     order: 450,
 *     collect: () => ({ content: "Ask @alice for release questions." }),
 *   }],
 * });
 * assert.equal(oncall.sections?.[0].id, "oncall"); // the same object, checked
 *
 * // A malformed plugin is refused when it is declared, not halfway through a bundle.
 * const misnamed = { name: "Team On-Call", apiVersion: 1 } as const;
 * assert.throws(() => definePlugin(misnamed), PluginDefinitionError);
 * ```
 */
export function definePlugin<P extends Plugin>(plugin: P): P {
  const name = typeof plugin?.name === "string" ? plugin.name : "<unnamed>";
  if (!ID.test(name)) throw new PluginDefinitionError(name, "name must match ^[a-z0-9][a-z0-9-]*$");
  if (plugin.apiVersion !== PLUGIN_API_VERSION) {
    throw new PluginDefinitionError(
      name,
      `apiVersion ${
        JSON.stringify(plugin.apiVersion)
      } is not supported; this kaizen implements apiVersion ${PLUGIN_API_VERSION}`,
    );
  }
  for (const s of plugin.sections ?? []) {
    if (!ID.test(s?.id ?? "")) {
      throw new PluginDefinitionError(
        name,
        `section id '${s?.id}' must match ^[a-z0-9][a-z0-9-]*$`,
      );
    }
    if (typeof s.title !== "string" || s.title.trim() === "") {
      throw new PluginDefinitionError(name, `section '${s.id}' needs a title`);
    }
    if (typeof s.order !== "number" || !Number.isFinite(s.order)) {
      throw new PluginDefinitionError(name, `section '${s.id}' needs a numeric order`);
    }
    if (typeof s.collect !== "function") {
      throw new PluginDefinitionError(name, `section '${s.id}' needs collect()`);
    }
    if (s.keep !== undefined && s.keep !== "start" && s.keep !== "end") {
      throw new PluginDefinitionError(name, `section '${s.id}': keep must be "start" or "end"`);
    }
    if (s.summaryFields !== undefined) {
      if (!Array.isArray(s.summaryFields)) {
        throw new PluginDefinitionError(name, `section '${s.id}': summaryFields must be a list`);
      }
      for (const f of s.summaryFields) {
        if (!SUMMARY_FIELDS.includes(f)) {
          throw new PluginDefinitionError(
            name,
            `section '${s.id}': unknown summary field '${String(f)}'; known: ${
              SUMMARY_FIELDS.join(", ")
            }`,
          );
        }
      }
    }
  }
  for (const k of plugin.sinks ?? []) {
    if (!ID.test(k?.name ?? "")) {
      throw new PluginDefinitionError(
        name,
        `sink name '${k?.name}' must match ^[a-z0-9][a-z0-9-]*$`,
      );
    }
    if (typeof k.emit !== "function") {
      throw new PluginDefinitionError(name, `sink '${k.name}' needs emit()`);
    }
    if (k.writes !== undefined && k.writes !== "stdout" && k.writes !== "out") {
      throw new PluginDefinitionError(name, `sink '${k.name}': writes must be "stdout" or "out"`);
    }
    if (k.check !== undefined && typeof k.check !== "function") {
      throw new PluginDefinitionError(name, `sink '${k.name}': check must be a function`);
    }
    if (
      k.credentialVariables !== undefined &&
      (!Array.isArray(k.credentialVariables) ||
        !k.credentialVariables.every((v) => typeof v === "string" && ENV_NAME.test(v)))
    ) {
      throw new PluginDefinitionError(
        name,
        `sink '${k.name}': credentialVariables must be a list of variable names`,
      );
    }
    if (k.options !== undefined && !Array.isArray(k.options)) {
      throw new PluginDefinitionError(name, `sink '${k.name}': options must be a list`);
    }
    const flags = new Set<string>();
    for (const o of k.options ?? []) {
      if (!FLAG.test(o?.flag ?? "")) {
        throw new PluginDefinitionError(
          name,
          `sink '${k.name}': option flag '${o?.flag}' must match ^[a-z][a-z0-9-]*$`,
        );
      }
      if (flags.has(o.flag)) {
        throw new PluginDefinitionError(name, `sink '${k.name}': option --${o.flag} twice`);
      }
      flags.add(o.flag);
      if (!OPTION_KINDS.includes(o.kind)) {
        throw new PluginDefinitionError(
          name,
          `sink '${k.name}': option --${o.flag} kind must be one of ${OPTION_KINDS.join(", ")}`,
        );
      }
      if (typeof o.description !== "string" || o.description.trim() === "") {
        throw new PluginDefinitionError(
          name,
          `sink '${k.name}': option --${o.flag} needs a description`,
        );
      }
      if (o.env !== undefined && !ENV_NAME.test(o.env)) {
        throw new PluginDefinitionError(
          name,
          `sink '${k.name}': option --${o.flag} env '${o.env}' is not a variable name`,
        );
      }
    }
  }
  return plugin;
}

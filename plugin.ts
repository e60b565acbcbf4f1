/**
 * Everything a plugin author needs: the plugin types and `definePlugin`.
 *
 * A minimal first cut that re-exports from `mod.ts`, so the package's
 * `./plugin` export exists; the seam work of issue 18 grows it with the
 * helpers the built-ins use.
 *
 * @example
 * ```ts
 * import { definePlugin } from "./plugin.ts";
 * export const team = definePlugin({
 *   name: "team",
 *   apiVersion: 1,
 *   sections: [{ id: "team", title: "Team notes", order: 450, collect: () => ({ content: "..." }) }],
 * });
 * ```
 *
 * @module
 */
export { definePlugin, PLUGIN_API_VERSION, PluginDefinitionError, SUMMARY_FIELDS } from "./mod.ts";
export type {
  Bundle,
  BundleFormat,
  BundlePointer,
  BundleSection,
  BundleSummary,
  Plugin,
  SafeReader,
  SafeReadResult,
  SectionContext,
  SectionOutput,
  SectionPlugin,
  SectionStatus,
  SinkContext,
  SinkPlugin,
  SummaryField,
} from "./mod.ts";

/**
 * The set of plugins taking part in one run, with where each came from, and
 * the lookups the pipeline needs (sections in order, sinks by name).
 *
 * @module
 */
import { definePlugin, PluginDefinitionError } from "./define.ts";
import type { Plugin, SectionPlugin, SinkPlugin } from "./types.ts";

/** Where a plugin was loaded from, as `kaizen plugins list` reports it. */
export type PluginOrigin =
  | { kind: "builtin" }
  | { kind: "embedded" } // registered by a custom entry point (examples/custom-binary.ts)
  | { kind: "external"; file: string; command: string[] }; // external-command plugin from a plugins file

/** A plugin plus its origin. */
export interface RegisteredPlugin {
  plugin: Plugin;
  origin: PluginOrigin;
}

/** A section together with the plugin that owns it. */
export interface OwnedSection {
  plugin: string;
  section: SectionPlugin;
}

/** A sink together with the plugin that owns it. */
export interface OwnedSink {
  plugin: string;
  sink: SinkPlugin;
}

/** Holds plugins; refuses duplicate plugin names, section ids and sink names. */
export class PluginRegistry {
  readonly #plugins: RegisteredPlugin[] = [];

  /** Adds a plugin after checking its shape and that its ids are free. */
  add(plugin: Plugin, origin: PluginOrigin): void {
    definePlugin(plugin);
    if (this.#plugins.some((p) => p.plugin.name === plugin.name)) {
      throw new PluginDefinitionError(plugin.name, "a plugin with this name is already loaded");
    }
    for (const s of plugin.sections ?? []) {
      const owner = this.sections().find((o) => o.section.id === s.id);
      if (owner) {
        throw new PluginDefinitionError(
          plugin.name,
          `section id '${s.id}' is already provided by '${owner.plugin}'`,
        );
      }
    }
    // One writer per summary field, so the bundle's flags never depend on load order.
    const fieldOwner = new Map<string, OwnedSection>();
    for (const o of this.sections()) {
      for (const f of o.section.summaryFields ?? []) fieldOwner.set(f, o);
    }
    for (const s of plugin.sections ?? []) {
      for (const field of s.summaryFields ?? []) {
        const owner = fieldOwner.get(field);
        if (owner) {
          throw new PluginDefinitionError(
            plugin.name,
            `section '${s.id}' declares summary field '${field}', already set by section '${owner.section.id}' of '${owner.plugin}'`,
          );
        }
        fieldOwner.set(field, { plugin: plugin.name, section: s });
      }
    }
    for (const k of plugin.sinks ?? []) {
      const owner = this.sinks().find((o) => o.sink.name === k.name);
      if (owner) {
        throw new PluginDefinitionError(
          plugin.name,
          `sink '${k.name}' is already provided by '${owner.plugin}'`,
        );
      }
      // One meaning per flag: `--subject` cannot be two sinks' option.
      for (const opt of k.options ?? []) {
        const other = this.sinks().find((o) => o.sink.options?.some((x) => x.flag === opt.flag));
        if (other) {
          throw new PluginDefinitionError(
            plugin.name,
            `sink '${k.name}': option --${opt.flag} is already declared by sink '${other.sink.name}'`,
          );
        }
      }
    }
    this.#plugins.push({ plugin, origin });
  }

  /** All plugins in registration order. */
  list(): readonly RegisteredPlugin[] {
    return this.#plugins;
  }

  /** Every section, sorted by `order` (ties keep registration order). */
  sections(): OwnedSection[] {
    const out: OwnedSection[] = [];
    for (const p of this.#plugins) {
      for (const s of p.plugin.sections ?? []) out.push({ plugin: p.plugin.name, section: s });
    }
    return out.map((o, i) => ({ o, i })).sort((a, b) =>
      a.o.section.order - b.o.section.order || a.i - b.i
    ).map((x) => x.o);
  }

  /** Every sink. */
  sinks(): OwnedSink[] {
    const out: OwnedSink[] = [];
    for (const p of this.#plugins) {
      for (const k of p.plugin.sinks ?? []) out.push({ plugin: p.plugin.name, sink: k });
    }
    return out;
  }

  /** The sink called `name`, if any. */
  sink(name: string): OwnedSink | undefined {
    return this.sinks().find((o) => o.sink.name === name);
  }
}

/**
 * Plugins files: where external-command plugins are declared.
 *
 * The host's file (`--plugins FILE`, else `$XDG_CONFIG_HOME/kaizen/plugins.yml`,
 * else `~/.config/kaizen/plugins.yml`) is trusted: whoever runs kaizen wrote
 * it. A file committed inside the target repo (`.kaizen/plugins.yml`) is not:
 * loading it would let any repository run code on the runner host just by
 * committing a file, so it is ignored, with a notice, unless the host passes
 * `--trust-repo-plugins`.
 *
 * The file format and its strict, positional parser are in `plugins_file.ts`.
 *
 * @module
 */
import { CliError } from "../cli/io.ts";
import type { Diagnostic } from "../diagnostics.ts";
import { createSafeReader } from "../fs/safe_read.ts";
import { join, resolve } from "../fs/paths.ts";
import { printable } from "../text/printable.ts";
import { externalPlugin, type ExternalPluginDecl } from "./external.ts";
import {
  MAX_PLUGINS_FILE_BYTES,
  parsePluginsFile,
  type ParsePluginsFileOptions,
} from "./plugins_file.ts";
import { defaultHostFile, REPO_PLUGINS_PATH } from "./locations.ts";
import type { PluginOrigin } from "./registry.ts";
import type { Plugin } from "./types.ts";

// The format itself lives in plugins_file.ts; re-exported for callers of this module.
export {
  MAX_PLUGINS_FILE_BYTES,
  MAX_TIMEOUT_MS,
  MIN_TIMEOUT_MS,
  type ParsedPluginsFile,
  parsePluginsFile,
  type ParsePluginsFileOptions,
  PLUGINS_FILE_VERSION,
} from "./plugins_file.ts";

export { defaultHostFile, REPO_PLUGINS_PATH } from "./locations.ts";

/** A plugins file that cannot be used. Rendered by the CLI as one line, exit 1. */
export class PluginConfigError extends CliError {
  constructor(message: string, readonly diagnostics: Diagnostic[] = []) {
    super(message, 1);
    this.name = "PluginConfigError";
  }
}

/** Options for {@link loadPluginConfigs}. */
export interface LoadPluginConfigsOptions {
  /** The target repository; undefined: no repository file is considered. */
  root?: string;
  /** `--plugins FILE`: replaces the default host file and must exist. */
  pluginsFile?: string;
  /** `--trust-repo-plugins`: also load `<root>/.kaizen/plugins.yml`. */
  trustRepoPlugins: boolean;
  /** Environment lookup (`XDG_CONFIG_HOME`, `HOME`). */
  env: (k: string) => string | undefined;
}

/** What {@link loadPluginConfigs} found. */
export interface LoadedPluginConfigs {
  plugins: { plugin: Plugin; origin: PluginOrigin }[];
  /** One-line notices for stderr (e.g. an ignored repo plugins file). */
  notices: string[];
}

/**
 * Loads the host plugins file and, when trusted, the repo's own, returning
 * ready-to-register plugins with their origin. Absent default files are fine;
 * an absent `--plugins` file or any invalid file throws {@link PluginConfigError}.
 *
 * @example
 * ```ts
 * const { plugins, notices } = await loadPluginConfigs({
 *   root: "/srv/checkouts/widgets",
 *   trustRepoPlugins: false,
 *   env: (k) => Deno.env.get(k),
 * });
 * for (const { plugin, origin } of plugins) registry.add(plugin, origin);
 * ```
 */
export async function loadPluginConfigs(
  opts: LoadPluginConfigsOptions,
): Promise<LoadedPluginConfigs> {
  const root = opts.root === undefined ? undefined : resolve(opts.root);
  const notices: string[] = [];
  const loaded: { file: string; decls: ExternalPluginDecl[] }[] = [];

  const repoFile = root === undefined ? undefined : join(root, REPO_PLUGINS_PATH);
  const hostFile = opts.pluginsFile !== undefined
    ? resolve(opts.pluginsFile)
    : defaultHostFile(opts.env);
  if (hostFile !== undefined) {
    const text = await readHostFile(hostFile, opts.pluginsFile);
    if (text !== undefined) {
      // `--plugins .kaizen/plugins.yml` is the host vouching for that file.
      const confineTo = hostFile === repoFile ? root : undefined;
      loaded.push({ file: hostFile, decls: await parseOrThrow(text, hostFile, { confineTo }) });
    }
  }

  if (root !== undefined && repoFile !== undefined && hostFile !== repoFile && exists(repoFile)) {
    if (!opts.trustRepoPlugins) {
      notices.push(
        `ignoring ${
          printable(repoFile, 300)
        }: repository plugins run code on this host; pass --trust-repo-plugins to allow`,
      );
    } else {
      const reader = await createSafeReader(root, MAX_PLUGINS_FILE_BYTES);
      const read = await reader.readText(REPO_PLUGINS_PATH);
      if (read.status === "refused") {
        throw new PluginConfigError(`cannot read ${printable(repoFile, 300)}: ${read.reason}`);
      }
      if (read.status === "ok") {
        loaded.push({
          file: repoFile,
          decls: await parseOrThrow(read.text, repoFile, { confineTo: root }),
        });
      }
    }
  }

  const plugins: LoadedPluginConfigs["plugins"] = [];
  const declaredIn = new Map<string, string>();
  for (const { file, decls } of loaded) {
    for (const decl of decls) {
      const earlier = declaredIn.get(decl.name);
      if (earlier !== undefined) {
        throw new PluginConfigError(
          `${printable(file, 300)}: plugin '${decl.name}' is already declared in ${
            printable(earlier, 300)
          }`,
        );
      }
      declaredIn.set(decl.name, file);
      plugins.push({
        plugin: externalPlugin(decl, file),
        origin: { kind: "external", file, command: decl.command },
      });
    }
  }
  return { plugins, notices };
}

async function readHostFile(file: string, given: string | undefined): Promise<string | undefined> {
  const shown = printable(given ?? file, 300);
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(file);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      if (given !== undefined) {
        throw new PluginConfigError(`plugins file '${shown}' does not exist`);
      }
      return undefined;
    }
    throw new PluginConfigError(`cannot read plugins file '${shown}': ${errorText(err)}`);
  }
  if (!info.isFile) throw new PluginConfigError(`plugins file '${shown}' is not a regular file`);
  if (info.size > MAX_PLUGINS_FILE_BYTES) {
    throw new PluginConfigError(
      `plugins file '${shown}' is ${info.size} bytes; the limit is ${MAX_PLUGINS_FILE_BYTES}`,
    );
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(await Deno.readFile(file));
  } catch (err) {
    throw new PluginConfigError(`cannot read plugins file '${shown}': ${errorText(err)}`);
  }
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path); // never blocks, even on a FIFO
    return true;
  } catch {
    return false;
  }
}

async function parseOrThrow(
  text: string,
  file: string,
  options: ParsePluginsFileOptions,
): Promise<ExternalPluginDecl[]> {
  const { decls, diagnostics } = await parsePluginsFile(text, file, options);
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length === 0) return decls;
  const first = errors[0];
  const more = errors.length > 1
    ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? "s" : ""})`
    : "";
  throw new PluginConfigError(
    `${printable(file, 300)}:${first.line}:${first.col}: ${first.message}${more}`,
    diagnostics,
  );
}

function errorText(err: unknown): string {
  return printable(err instanceof Error ? err.message : String(err), 200);
}

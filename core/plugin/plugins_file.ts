/**
 * The plugins file, which declares external-command plugins, as a spec for
 * the YAML validator (`core/yaml/validate.ts`). Discovery and trust (which
 * files are read at all) live in `config.ts`.
 *
 * @module
 */
import type { Diagnostic } from "../diagnostics.ts";
import { escapesFolder } from "../fs/escapes_folder.ts";
import { printable } from "../text/printable.ts";
import { defined, fields, list, num, str, version } from "../yaml/spec.ts";
import type { FileSpec, Place, Spec } from "../yaml/spec.ts";
import { type ExternalPluginDecl, type ExternalSectionDecl, resolveCommand } from "./external.ts";
import { MAX_PLUGINS_FILE_BYTES, PLUGINS_FILE_VERSION } from "./plugins_format.ts";
import { MAX_TIMEOUT_MS, MIN_TIMEOUT_MS } from "./plugins_format.ts";

// The format's facts live beside it; re-exported for callers of this module.
export * from "./plugins_format.ts";

const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Plugin, section and sink names. */
const NAME_RE = /^[a-z0-9][a-z0-9-]*$/;
const NAME = `match ${NAME_RE.source} (lowercase letters, digits, '-')`;

/** What {@link parsePluginsFile} found: declarations when valid, and every problem. */
export interface ParsedPluginsFile {
  decls: ExternalPluginDecl[];
  diagnostics: Diagnostic[];
}

/** Options for {@link parsePluginsFile}. */
export interface ParsePluginsFileOptions {
  /** When set, a relative command must resolve inside this folder (repo files). */
  confineTo?: string;
}

/**
 * Parses plugins-file text. Never throws on bad input: every problem is a
 * diagnostic with a 1-based line and column, and `decls` is empty unless
 * the whole file is valid. Relative commands come back resolved against the
 * file's folder.
 *
 * @example
 * ```ts
 * const { decls, diagnostics } = await parsePluginsFile(
 *   'version: 1\nplugins:\n  - name: hi\n    command: ["./hi"]\n    sinks: [{ name: hi }]\n',
 *   "/etc/kaizen/plugins.yml",
 * );
 * ```
 */
export async function parsePluginsFile(
  text: string,
  file: string,
  options: ParsePluginsFileOptions = {},
): Promise<ParsedPluginsFile> {
  // The validator (and yaml) load only when a plugins file is really read.
  const { validateYaml } = await import("../yaml/validate.ts");
  const { value, diagnostics } = validateYaml(text, pluginsSpec(file, options), file);
  return { decls: value ?? [], diagnostics };
}

/** A fresh spec per file: a name declared twice points back at the plugin that came first. */
function pluginsSpec(file: string, opts: ParsePluginsFileOptions): FileSpec<ExternalPluginDecl[]> {
  const names: (string | undefined)[] = []; // by index in the list
  const owner = (at: Place) => names[Number(at.path[1])] ?? `#${Number(at.path[1]) + 1}`;
  const [sections, sinks] = [new Map<string, string>(), new Map<string, string>()];
  const name = (subject: string, check?: Spec<string>["check"]) =>
    str({ code: "invalid-name", pattern: NAME_RE, expect: NAME, required: true, subject, check });
  /** A section id or sink name: unique in the file, owned by the plugin that declares it. */
  const once = (kind: string, name: string, seen: Map<string, string>, at: Place) => {
    const first = seen.get(name);
    const again = `${kind} '${name}' is already declared by plugin '${first}'`;
    if (first === undefined) seen.set(name, owner(at));
    else at.report(`duplicate-${kind}`, again);
    return { value: name }; // still its name in other messages
  };
  const section = fields({
    id: name("section id", (id, at) => once("section", id, sections, at)),
    title: str({ code: "invalid-title", expect: NON_EMPTY, pattern: /\S/, required: true }),
    order: num({ code: "invalid-order", required: "(a number; built-ins use 100-900)" }),
    priority: num({ code: "invalid-priority" }),
  }, {
    code: "not-a-mapping",
    subject: "a section",
    owner: ({ id }) => id === undefined ? "a section" : `section '${id}'`,
    build: (section): ExternalSectionDecl => defined(section),
  });
  const sink = fields({ name: name("sink name") }, {
    code: "not-a-mapping",
    subject: "a sink",
    rule: ({ name }, at) => name !== undefined && once("sink", name, sinks, at),
    build: ({ name }) => ({ name }),
  });
  const envVar = str({ code: "not-a-string", check: envName });
  const plugin = fields({
    name: name("plugin name", (name, at) => {
      if (names.includes(name)) at.report("duplicate-plugin", `plugin '${name}' is declared twice`);
      names[Number(at.path[1])] = name;
      return { value: name };
    }),
    command: list(str({ code: "not-a-string", check: (a) => a === "" ? NO_ARGUMENT : undefined }), {
      code: (v) => typeof v === "string" ? "command-not-list" : "not-a-list",
      expect: "be a list (argv, no shell)",
      hint: (v) =>
        typeof v === "string"
          ? `; e.g. [${printable(v.split(/\s+/).map(quote).join(", "), 200)}]`
          : "",
      required: '(an argv list, e.g. ["/usr/local/bin/my-plugin"])',
      nonEmpty: ["empty-command", "command must name a program: it is an empty list"],
      check: (argv, at) => command(argv, at, file, opts.confineTo),
    }),
    timeout_ms: num({ code: "invalid-timeout", expect: TIMEOUT, check: timeout }),
    env_passthrough: list(envVar, { code: "not-a-list", expect: "be a list of strings" }),
    sections: list(section, { code: "not-a-list" }),
    sinks: list(sink, { code: "not-a-list" }),
  }, {
    code: "not-a-mapping",
    subject: "a plugin",
    owner: (_, at) => `plugin '${owner(at)}'`,
    rule({ sections, sinks }, at, clean) {
      const none = `plugin '${owner(at)}' declares no sections and no sinks; add at least one`;
      if (clean && !sections?.length && !sinks?.length) at.report("no-hooks", none);
    },
    build: ({ sections, sinks, ...decl }): ExternalPluginDecl =>
      defined({ ...decl, sections: some(sections), sinks: some(sinks) }),
  });
  return {
    noun: "plugins file",
    maxBytes: MAX_PLUGINS_FILE_BYTES,
    maxAliases: 50,
    empty: `it needs 'version: ${PLUGINS_FILE_VERSION}' and 'plugins'`,
    style: "plugins",
    root: fields({
      version: version(PLUGINS_FILE_VERSION, "unsupported-version"),
      // `plugins:` with nothing under it: no plugins, which is fine.
      plugins: list(plugin, {
        code: "not-a-list",
        required: "(a list of plugins)",
        ifNull: { value: [] },
      }),
    }, { code: "not-a-mapping", subject: "the file", build: ({ plugins }) => plugins }),
  };
}

const NO_ARGUMENT: [string, string] = ["invalid-value", "an argument must not be empty"];
const NON_EMPTY = "be a non-empty string";
const TIMEOUT = `be an integer from ${MIN_TIMEOUT_MS} to ${MAX_TIMEOUT_MS} (milliseconds)`;
const quote = (arg: string) => JSON.stringify(arg);
const some = <T>(list: T[] | undefined) => list?.length ? list : undefined;
const timeout = (ms: number) =>
  Number.isInteger(ms) && ms >= MIN_TIMEOUT_MS && ms <= MAX_TIMEOUT_MS;

function envName(name: string): [string, string] | undefined {
  const msg = `'${printable(name)}' is not an environment variable name`;
  return ENV_NAME_RE.test(name) ? undefined : ["invalid-value", msg];
}

/** The command resolved against the file's folder; a repo file's must stay inside `confine`. */
function command(argv: string[], at: Place, file: string, confine: string | undefined) {
  const resolved = resolveCommand(argv, file);
  const relative = confine !== undefined && resolved[0] !== argv[0];
  const outside = relative ? escapesFolder(confine, resolved[0]) : undefined;
  if (outside === undefined) return { value: resolved };
  const msg = `command '${printable(argv[0])}' resolves outside the repository`;
  at.report("command-outside-repo", `${msg} (${printable(outside, 200)})`);
}

/**
 * A small declarative command tree: parsing, help, did-you-mean, exit codes.
 *
 * Why not commander: it is CommonJS and loads Deno's Node compatibility layer
 * (`node:events`, `node:child_process`, ...), which alone costs more start-up
 * than our whole 3× budget for `schedule validate`, and it cannot be bundled
 * for the lean browser-platform bundle we ship. This module covers what we
 * use — nested commands, typed options with choices, positional arguments,
 * generated help and suggestions — and nothing else.
 *
 * @module
 */
import { CommandLineError } from "../errors.ts";
import { didYouMean } from "../text/suggest.ts";

/** What an option looks like on the command line (`-h`, `--target`). */
const OPTION_SHAPE = /^--?[A-Za-z]/;

/** One `--flag`. */
export interface OptionSpec {
  /** Long name without dashes, e.g. `target`. */
  name: string;
  short?: string;
  /** `boolean` flags take no value; `string` ones take exactly one. */
  type: "string" | "boolean";
  description: string;
  /** Placeholder in help, e.g. `PATH`. */
  valueName?: string;
  choices?: readonly string[];
  /** Shown in help; applied when the option is absent. */
  default?: string | boolean;
  /**
   * A `string` option that may be given more than once; the values are
   * joined with commas, so `--sink a --sink b` reads as `--sink a,b`.
   */
  repeatable?: boolean;
  /**
   * A numeric `string` option: the parser refuses anything that is not a
   * plain decimal number in range (`--quality 1.5` with `max: 1`), so the
   * command receives only valid text. Declared once, with the option.
   */
  number?: { min?: number; max?: number; integer?: boolean };
}

const DECIMAL = /^-?(?:\d+(?:\.\d+)?|\.\d+)$/;

/** Refuses a numeric option's value that is not a number in its declared range. */
function checkNumber(spec: OptionSpec, value: string, path: string[]): void {
  const n = spec.number!;
  const what = n.integer ? "a whole number" : "a number";
  const range = n.min !== undefined && n.max !== undefined
    ? ` from ${n.min} to ${n.max}`
    : n.min !== undefined
    ? ` of at least ${n.min}`
    : n.max !== undefined
    ? ` of at most ${n.max}`
    : "";
  const x = Number(value);
  const ok = DECIMAL.test(value) && Number.isFinite(x) && (!n.integer || Number.isSafeInteger(x)) &&
    (n.min === undefined || x >= n.min) && (n.max === undefined || x <= n.max);
  if (!ok) {
    const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    throw new UsageError(
      `option '--${spec.name}' must be ${what}${range}, got '${
        shown.replace(/[^\x20-\x7e]/g, "?")
      }'`,
      path,
    );
  }
}

/** One positional argument. */
export interface ArgSpec {
  name: string;
  description: string;
  required: boolean;
}

/** Parsed input handed to a command's `run`. */
export interface Invocation {
  args: string[];
  opts: Record<string, string | boolean | undefined>;
  /** The command path, e.g. `["schedule", "validate"]`. */
  path: string[];
}

type OptionValue<S> = S extends { readonly type: "boolean" } ? boolean | undefined
  : string | undefined;

/** A command's parsed options, keyed by the names its option specs declare. */
export type OptionsOf<O extends readonly OptionSpec[]> = {
  readonly [S in O[number] as S["name"]]?: OptionValue<S>;
};

/**
 * The invocation of a command whose options are `O` (declared `as const`):
 * reading an option the command does not declare does not compile.
 */
export interface TypedInvocation<O extends readonly OptionSpec[]> {
  args: string[];
  opts: OptionsOf<O>;
  path: string[];
}

/**
 * `inv` typed by `options`. The parser fills only declared names, so this is
 * a view of the same object, not a conversion.
 */
export function typed<O extends readonly OptionSpec[]>(
  inv: Invocation,
  _options: O,
): TypedInvocation<O> {
  return inv as unknown as TypedInvocation<O>;
}

/** A command or a group of commands. */
export interface CommandSpec {
  name: string;
  description: string;
  /** Extra lines shown at the end of `--help`. */
  epilog?: string;
  args?: ArgSpec[];
  options?: readonly OptionSpec[];
  subcommands?: CommandSpec[];
  /** Returns the exit code. Absent on pure groups. */
  run?: (inv: Invocation) => Promise<number>;
}

/** Raised for bad command-line input; rendered as one line, exit 2. */
export class UsageError extends CommandLineError {
  constructor(message: string, override readonly helpPath: string[] = []) {
    super(message);
    this.name = "UsageError";
  }
}

/** What {@link parseArgv} decided to do. */
export type ParseOutcome =
  | { kind: "run"; command: CommandSpec; invocation: Invocation }
  | { kind: "help"; command: CommandSpec; path: string[] }
  | { kind: "version" };

const HELP: OptionSpec = {
  name: "help",
  short: "h",
  type: "boolean",
  description: "Show help for this command",
};

/**
 * Resolves `argv` against the tree rooted at `root`. Throws {@link UsageError}
 * with a suggestion for unknown commands and options.
 */
export function parseArgv(
  root: CommandSpec,
  argv: readonly string[],
  rootOptions: OptionSpec[] = [],
): ParseOutcome {
  let cmd = root;
  const path: string[] = [];
  let i = 0;
  // Walk down the command groups; global flags may come before the command.
  while (cmd.subcommands && i < argv.length) {
    const tok = argv[i];
    if (tok === "--help" || tok === "-h") return { kind: "help", command: cmd, path };
    if (cmd === root && (tok === "--version" || tok === "-V")) return { kind: "version" };
    if (tok === "help" && cmd === root) return helpFor(root, argv.slice(i + 1));
    if (tok.startsWith("-")) {
      throw new UsageError(`unknown option '${tok}' for '${[root.name, ...path].join(" ")}'`, path);
    }
    const next = cmd.subcommands.find((c) => c.name === tok);
    if (!next) {
      const names = cmd.subcommands.map((c) => c.name);
      throw new UsageError(
        `unknown command '${tok}'${didYouMean(tok, names)}; expected one of: ${names.join(", ")}`,
        path,
      );
    }
    cmd = next;
    path.push(tok);
    i++;
  }
  if (cmd.subcommands) return { kind: "help", command: cmd, path };

  const specs = [...(cmd.options ?? []), ...rootOptions];
  const opts: Record<string, string | boolean | undefined> = {};
  const args: string[] = [];
  for (; i < argv.length; i++) {
    const tok = argv[i];
    if (tok === "--") {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (tok === "--help" || tok === "-h") return { kind: "help", command: cmd, path };
    // Only `-x` / `--name` shapes are options: a note such as "- learned x"
    // or a number such as "-5" is an argument.
    if (!OPTION_SHAPE.test(tok)) {
      args.push(tok);
      continue;
    }
    const eq = tok.indexOf("=");
    const flag = eq > 0 ? tok.slice(0, eq) : tok;
    const spec = tok.startsWith("--")
      ? specs.find((o) => `--${o.name}` === flag)
      : specs.find((o) => o.short !== undefined && `-${o.short}` === flag);
    if (!spec) {
      const names = [...specs.map((o) => `--${o.name}`), "--help"];
      throw new UsageError(`unknown option '${flag}'${didYouMean(flag, names)}`, path);
    }
    if (spec.type === "boolean") {
      if (eq > 0) throw new UsageError(`option '--${spec.name}' takes no value`, path);
      opts[spec.name] = true;
      continue;
    }
    let value: string | undefined;
    if (eq > 0) value = tok.slice(eq + 1);
    else if (i + 1 < argv.length && !OPTION_SHAPE.test(argv[i + 1])) {
      value = argv[++i];
    }
    if (value === undefined) {
      throw new UsageError(`option '--${spec.name}' needs a value (${valueName(spec)})`, path);
    }
    if (spec.choices && !spec.choices.includes(value)) {
      throw new UsageError(
        `option '--${spec.name}' must be one of ${spec.choices.join(", ")}, got '${value}'${
          didYouMean(value, spec.choices)
        }`,
        path,
      );
    }
    if (spec.number) checkNumber(spec, value, path);
    const before = opts[spec.name];
    opts[spec.name] = spec.repeatable && typeof before === "string" ? `${before},${value}` : value;
  }
  for (const spec of specs) {
    if (opts[spec.name] === undefined && spec.default !== undefined) opts[spec.name] = spec.default;
  }
  const declared = cmd.args ?? [];
  const required = declared.filter((a) => a.required).length;
  if (args.length < required) {
    const missing = declared.filter((a) => a.required)[args.length];
    throw new UsageError(`missing argument <${missing.name}>`, path);
  }
  if (args.length > declared.length) {
    throw new UsageError(`unexpected argument '${args[declared.length]}'`, path);
  }
  return { kind: "run", command: cmd, invocation: { args, opts, path } };
}

function helpFor(root: CommandSpec, names: readonly string[]): ParseOutcome {
  let cmd = root;
  const path: string[] = [];
  for (const n of names) {
    const next = cmd.subcommands?.find((c) => c.name === n);
    if (!next) {
      const known = (cmd.subcommands ?? []).map((c) => c.name);
      throw new UsageError(`unknown command '${n}'${didYouMean(n, known)}`, path);
    }
    cmd = next;
    path.push(n);
  }
  return { kind: "help", command: cmd, path };
}

function valueName(o: OptionSpec): string {
  return o.valueName ?? (o.choices ? o.choices.join("|") : "VALUE");
}

/** Renders `--help` for `cmd` reached via `path` under program `prog`. */
export function renderHelp(
  prog: string,
  cmd: CommandSpec,
  path: string[],
  rootOptions: OptionSpec[] = [],
): string {
  const full = [prog, ...path].join(" ");
  const lines: string[] = [];
  const argsUsage = (cmd.args ?? []).map((a) => (a.required ? `<${a.name}>` : `[${a.name}]`)).join(
    " ",
  );
  if (cmd.subcommands) {
    lines.push(`Usage: ${full} <command> [options]`, "", cmd.description, "", "Commands:");
    const w = Math.max(...cmd.subcommands.map((c) => c.name.length)) + 2;
    for (const c of cmd.subcommands) lines.push(`  ${c.name.padEnd(w)}${c.description}`);
  } else {
    lines.push(`Usage: ${full}${argsUsage ? " " + argsUsage : ""} [options]`, "", cmd.description);
    if (cmd.args?.length) {
      lines.push("", "Arguments:");
      const w = Math.max(...cmd.args.map((a) => a.name.length)) + 2;
      for (const a of cmd.args) lines.push(`  ${a.name.padEnd(w)}${a.description}`);
    }
  }
  const opts = [...(cmd.subcommands ? [] : cmd.options ?? []), ...rootOptions, HELP];
  if (path.length === 0) {
    opts.splice(opts.length - 1, 0, {
      name: "version",
      short: "V",
      type: "boolean",
      description: "Print the version",
    });
  }
  lines.push("", "Options:");
  const cells = opts.map((o) => {
    const flag = `${o.short ? `-${o.short}, ` : "    "}--${o.name}${
      o.type === "string" ? ` <${valueName(o)}>` : ""
    }`;
    const def = o.default !== undefined && o.default !== false ? ` (default: ${o.default})` : "";
    return [flag, o.description + def] as const;
  });
  const w = Math.max(...cells.map(([f]) => f.length)) + 2;
  for (const [f, d] of cells) lines.push(`  ${f.padEnd(w)}${d}`);
  if (cmd.epilog) lines.push("", cmd.epilog);
  if (cmd.subcommands) lines.push("", `Run '${full} <command> --help' for a command's options.`);
  return lines.join("\n") + "\n";
}

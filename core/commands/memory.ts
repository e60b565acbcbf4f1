/**
 * `kaizen memory init | show | add`: the command-line shell around
 * `core/state/memory.ts`. This module only parses and prints; it is cheap to
 * import (the state module, the redactor and the agent catalog load when a
 * memory command runs), so the command tree can import it at start-up.
 *
 * @module
 */
import { concatBytes } from "../bytes.ts";
import { nowOption, TARGET } from "./options.ts";
import {
  type CommandSpec,
  type OptionSpec,
  typed,
  type TypedInvocation,
} from "../cli/framework.ts";
import { CliError, stdout, warn } from "../cli/io.ts";
import { programName } from "../cli/program.ts";
import { printable, withFinalNewline } from "../text/printable.ts";
import { resolveTarget } from "./target.ts";
import { type KaizenError, renderForCli } from "../errors.ts";

/** What the memory commands need from the outside world; tests pass their own. */
export interface MemoryIo {
  /** Data (stdout). */
  out(text: string): void;
  /** A one-line notice (stderr). */
  notice(message: string): void;
  /** Whether stdin is an interactive terminal (then it is never read). */
  stdinIsTerminal(): boolean;
  /** Reads stdin to its end, or stops after `limit` bytes. */
  readStdin(limit: number): Promise<Uint8Array>;
}

/** The real terminal. */
export const processIo: MemoryIo = {
  out: stdout,
  notice: (message) => warn(programName(), message, "notice"),
  stdinIsTerminal: () => Deno.stdin.isTerminal(),
  readStdin: async (limit) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of Deno.stdin.readable) {
      chunks.push(chunk);
      size += chunk.length;
      // One byte over the limit is enough to refuse; never buffer a flood.
      if (size > limit) break;
    }
    return concatBytes(chunks);
  },
};

const INIT_OPTIONS = [
  TARGET,
  { name: "force", type: "boolean", description: "Replace an existing memory file" },
] as const satisfies readonly OptionSpec[];

const SHOW_OPTIONS = [TARGET] as const satisfies readonly OptionSpec[];

const ADD_OPTIONS = [
  TARGET,
  nowOption("Date the entry from this instant instead of the clock"),
] as const satisfies readonly OptionSpec[];

const agentArg = {
  name: "agent",
  description: "Agent whose memory to use (installed or packaged)",
  required: true,
};

/**
 * A state-layer problem as a one-line error: its exit code is the one error
 * mapping's (bad input 2, the rest 1), its option names the CLI's (`--force`).
 */
function fail(err: KaizenError, hint = ""): never {
  throw new CliError(`${printable(renderForCli(err), 500)}${hint}`, err.exitCode, { cause: err });
}

/** `--target X` as the user gave it, for hints they can paste; empty for the default. */
function targetFlag(target: string): string {
  return target !== "." ? ` --target ${printable(target, 300)}` : "";
}

/** `kaizen memory init <agent> [--force]`. */
export async function memoryInit(
  inv: TypedInvocation<typeof INIT_OPTIONS>,
  io: MemoryIo = processIo,
): Promise<number> {
  const root = await resolveTarget(inv.opts.target);
  const { scaffoldMemory, memoryError } = await import("../state/memory.ts");
  const r = await scaffoldMemory(root, inv.args[0], { force: inv.opts.force });
  if (!r.ok) fail(memoryError(r));
  io.out(`${r.replaced ? "replaced" : "created"} ${r.path}\n`);
  return 0;
}

/** `kaizen memory show <agent>`. */
export async function memoryShow(
  inv: TypedInvocation<typeof SHOW_OPTIONS>,
  io: MemoryIo = processIo,
): Promise<number> {
  const root = await resolveTarget(inv.opts.target);
  const { readMemory, memoryError } = await import("../state/memory.ts");
  const agent = inv.args[0];
  const r = await readMemory(root, agent);
  if (!r.ok) {
    fail(
      memoryError(r),
      r.code === "missing"
        ? `; create it with '${programName()} memory init ${agent}${targetFlag(inv.opts.target)}'`
        : "",
    );
  }
  const { redactForOutput } = await import("../redact/output.ts");
  io.out(withFinalNewline(redactForOutput(r.text, r.path, io.notice)));
  return 0;
}

/** `kaizen memory add <agent> [note|-]`: the note from the argument or stdin. */
export async function memoryAdd(
  inv: TypedInvocation<typeof ADD_OPTIONS>,
  io: MemoryIo = processIo,
): Promise<number> {
  const root = await resolveTarget(inv.opts.target);
  const now = inv.opts.now ?? new Date();
  const { appendMemoryNote, MAX_NOTE_BYTES, memoryError } = await import("../state/memory.ts");
  const [agent, given] = inv.args;
  let note: string;
  if (given !== undefined && given !== "-") {
    note = given;
  } else if (io.stdinIsTerminal()) {
    // Waiting on a terminal for a note nobody knows to type would look like a hang.
    throw new CliError(
      `give the note as an argument, or pipe it on stdin: ${programName()} memory add ${agent} "<note>"`,
      2,
    );
  } else {
    const bytes = await io.readStdin(MAX_NOTE_BYTES);
    // The read stops one chunk past the limit, possibly inside a character:
    // name the limit, not the encoding.
    if (bytes.length > MAX_NOTE_BYTES) {
      throw new CliError(
        `the note on stdin is over the ${MAX_NOTE_BYTES}-byte limit; keep notes short`,
        2,
      );
    }
    try {
      note = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new CliError("the note on stdin is not valid UTF-8 text", 2);
    }
  }
  const r = await appendMemoryNote(root, agent, note, now);
  if (!r.ok) fail(memoryError(r));
  if (r.redactions > 0) io.notice(`redacted ${r.redactions} secret(s) from the note`);
  const { DEFAULT_MAX_FILE_BYTES } = await import("../fs/safe_read.ts");
  if (r.bytes > DEFAULT_MAX_FILE_BYTES) {
    // `prepare` refuses inputs over its per-file cap by default: say so now,
    // not when the next session opens without its memory.
    io.notice(
      `${r.path} is ${r.bytes} bytes, over the ${DEFAULT_MAX_FILE_BYTES} bytes 'schedule prepare' reads by default; trim its oldest entries`,
    );
  }
  io.out(`${r.created ? "created" : "updated"} ${r.path}\n`);
  return 0;
}

/** Builds the `memory` command group around `io` (tests pass a captured one). */
export function memoryCommandWith(io: MemoryIo): CommandSpec {
  return {
    name: "memory",
    description: "Read and add to an agent's project memory (.kaizen/agents/<agent>/memory.md)",
    subcommands: [
      {
        name: "init",
        description: "Scaffold an agent's memory file with a short template",
        args: [agentArg],
        options: INIT_OPTIONS,
        run: (inv) => memoryInit(typed(inv, INIT_OPTIONS), io),
      },
      {
        name: "show",
        description: "Print an agent's memory file",
        args: [agentArg],
        options: SHOW_OPTIONS,
        run: (inv) => memoryShow(typed(inv, SHOW_OPTIONS), io),
      },
      {
        name: "add",
        description: "Append a dated note (redacted before it is written)",
        args: [agentArg, {
          name: "note",
          description: "The note; '-' or absent reads it from stdin",
          required: false,
        }],
        options: ADD_OPTIONS,
        // "- learned x" is an argument as it is; only a note shaped like an
        // option (`-v …`, `--x`) needs the `--` separator.
        epilog:
          "A note that looks like an option goes after '--': kaizen memory add coach -- \"-v is verbose\"",
        run: (inv) => memoryAdd(typed(inv, ADD_OPTIONS), io),
      },
    ],
  };
}

/** The `memory` command group, wired to the real terminal. */
export const memoryCommand: CommandSpec = memoryCommandWith(processIo);

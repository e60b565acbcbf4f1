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
import { type CommandSpec, defineCommand, flag } from "../cli/framework.ts";
import { CliError, stdout, warn } from "../cli/io.ts";
import { programName } from "../cli/program.ts";
import { printable } from "../text/printable.ts";
import { printRedacted } from "./print.ts";
import type { AppendMemoryResult } from "../state/memory.ts";
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

/**
 * The note of `memory add`: the argument, else stdin (never a terminal's:
 * waiting for a note nobody knows to type would look like a hang).
 */
async function readNote(
  io: MemoryIo,
  agent: string,
  given: string | undefined,
  limit: number,
): Promise<string> {
  if (given !== undefined && given !== "-") return given;
  if (io.stdinIsTerminal()) {
    throw new CliError(
      `give the note as an argument, or pipe it on stdin: ${programName()} memory add ${agent} "<note>"`,
      2,
    );
  }
  const bytes = await io.readStdin(limit);
  // The read stops one chunk past the limit, possibly inside a character:
  // name the limit, not the encoding.
  if (bytes.length > limit) {
    throw new CliError(`the note on stdin is over the ${limit}-byte limit; keep notes short`, 2);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new CliError("the note on stdin is not valid UTF-8 text", 2);
  }
}

/** `memory add`'s report: what was redacted, whether `prepare` will still read the file. */
async function reportAdded(
  io: MemoryIo,
  r: Extract<AppendMemoryResult, { ok: true }>,
): Promise<void> {
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
}

/** Builds the `memory` command group around `io` (tests pass a captured one). */
export function memoryCommandWith(io: MemoryIo): CommandSpec {
  return {
    name: "memory",
    description: "Read and add to an agent's project memory (.kaizen/agents/<agent>/memory.md)",
    subcommands: [
      defineCommand({
        name: "init",
        description: "Scaffold an agent's memory file with a short template",
        args: [agentArg],
        options: [TARGET, flag("force", "Replace an existing memory file")],
        run: async (inv) => {
          const state = await import("../state/memory.ts");
          const root = await resolveTarget(inv.opts.target);
          const r = await state.scaffoldMemory(root, inv.args[0], { force: inv.opts.force });
          if (!r.ok) fail(state.memoryError(r));
          io.out(`${r.replaced ? "replaced" : "created"} ${r.path}\n`);
          return 0;
        },
      }),
      defineCommand({
        name: "show",
        description: "Print an agent's memory file",
        args: [agentArg],
        options: [TARGET],
        run: async ({ args: [agent], opts }) => {
          const state = await import("../state/memory.ts");
          const r = await state.readMemory(await resolveTarget(opts.target), agent);
          if (!r.ok) {
            const init = `${programName()} memory init ${agent}${targetFlag(opts.target)}`;
            fail(state.memoryError(r), r.code === "missing" ? `; create it with '${init}'` : "");
          }
          await printRedacted(io, r.text, r.path);
          return 0;
        },
      }),
      defineCommand({
        name: "add",
        description: "Append a dated note (redacted before it is written)",
        args: [agentArg, {
          name: "note",
          description: "The note; '-' or absent reads it from stdin",
          required: false,
        }],
        options: [TARGET, nowOption("Date the entry from this instant instead of the clock")],
        // "- learned x" is an argument as it is; only a note shaped like an
        // option (`-v …`, `--x`) needs the `--` separator.
        epilog:
          "A note that looks like an option goes after '--': kaizen memory add coach -- \"-v is verbose\"",
        run: async ({ args: [agent, given], opts }) => {
          const root = await resolveTarget(opts.target);
          const state = await import("../state/memory.ts");
          const note = await readNote(io, agent, given, state.MAX_NOTE_BYTES);
          const r = await state.appendMemoryNote(root, agent, note, opts.now ?? new Date());
          if (!r.ok) fail(state.memoryError(r));
          await reportAdded(io, r);
          return 0;
        },
      }),
    ],
  };
}

/** The `memory` command group, wired to the real terminal. */
export const memoryCommand: CommandSpec = memoryCommandWith(processIo);

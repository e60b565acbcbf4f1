/**
 * Terminal output: data to stdout, diagnostics to stderr, colour only on a
 * TTY and never when `NO_COLOR` is set.
 *
 * @module
 */
import { type ErrorFields, KaizenError, renderForCli } from "../errors.ts";
import { printable } from "../text/printable.ts";

const encoder = new TextEncoder();

function writeAll(stream: { writeSync(p: Uint8Array): number }, text: string): void {
  let bytes = encoder.encode(text);
  while (bytes.length > 0) bytes = bytes.subarray(stream.writeSync(bytes));
}

/** Writes `text` to stdout as is. */
export function stdout(text: string): void {
  writeAll(Deno.stdout, text);
}

/** Writes `text` to stderr as is. */
export function stderr(text: string): void {
  writeAll(Deno.stderr, text);
}

let colorCache: boolean | undefined;

/** `NO_COLOR` set to anything non-empty (or unreadable, to be safe). */
function noColor(): boolean {
  try {
    return (Deno.env.get("NO_COLOR") ?? "") !== "";
  } catch {
    return true;
  }
}

/** Whether stderr may carry ANSI colour. */
export function useColor(): boolean {
  colorCache ??= !noColor() && Deno.stderr.isTerminal();
  return colorCache;
}

/** Whether stdout may carry ANSI colour: reports printed as data (`doctor`). */
export function useColorOnStdout(): boolean {
  return !noColor() && Deno.stdout.isTerminal();
}

/** Red `error` / yellow `warning` labels when colour is on. */
export function label(severity: "error" | "warning" | "notice"): string {
  if (!useColor()) return severity;
  const code = severity === "error" ? 31 : severity === "warning" ? 33 : 36;
  return `\x1b[${code}m${severity}\x1b[0m`;
}

/**
 * A command's own failure, already in words: printed as one line, exit 1, or
 * 2 for bad command-line input. Its code is `failed` or `usage`; its exit
 * code comes from `exitCodeOf` like every other {@link KaizenError}'s.
 */
export class CliError extends KaizenError {
  constructor(message: string, exitCode: 1 | 2 = 1, fields: ErrorFields = {}) {
    super(exitCode === 2 ? "usage" : "failed", message, fields);
    this.name = "CliError";
  }
}

/**
 * A library error as the CLI says it, for a command that answers with a
 * {@link CliError}: the option names put in (`--notes`), the same exit code,
 * the error itself kept as `cause`.
 */
export function asCliError(err: KaizenError): CliError {
  return new CliError(renderForCli(err), err.exitCode, { cause: err });
}

/** Prints `prog: severity: message` on stderr. */
export function warn(
  prog: string,
  message: string,
  severity: "error" | "warning" | "notice" = "warning",
): void {
  // Messages quote paths and values from untrusted repos: a control or bidi
  // character must never reach the terminal raw, whoever built the message.
  stderr(`${prog}: ${label(severity)}: ${printable(message, Number.MAX_SAFE_INTEGER)}\n`);
}

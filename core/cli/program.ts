import { basename } from "../fs/paths.ts";

/** The names the binary answers to; anything else (e.g. `deno`) reads as `kaizen`. */
export const PROGRAM_NAMES = ["kaizen", "kaizen-agentic"] as const;

/**
 * The name to show in help and messages: the binary's own file name when it
 * is one we answer to (so a `kaizen-agentic` link or copy says so).
 */
export function programName(execPath: string = safeExecPath()): string {
  const base = basename(execPath).replace(/\.exe$/i, "");
  return (PROGRAM_NAMES as readonly string[]).includes(base) ? base : "kaizen";
}

function safeExecPath(): string {
  try {
    return Deno.execPath();
  } catch {
    return "kaizen";
  }
}

import { formatDiagnostic, hasErrors } from "../diagnostics.ts";
import type { TypedInvocation } from "../cli/framework.ts";
import type { VALIDATE_OPTIONS } from "./options.ts";
import { CliError, label, stderr, stdout } from "../cli/io.ts";
import { loadSchedule } from "../manifest/load.ts";
import { resolveTarget } from "./target.ts";
import { printable } from "../text/printable.ts";
import { dirname, join, resolve } from "../fs/paths.ts";

/**
 * The repository a manifest named by path belongs to: the nearest folder at
 * or above it that holds `.kaizen/` or `.git/` (its agents decide which agent
 * names are valid), else `fallback` (`--target`).
 */
function repoOf(file: string, fallback: string): string {
  let dir = dirname(resolve(file));
  for (;;) {
    for (const marker of [".kaizen", ".git"]) {
      try {
        Deno.statSync(join(dir, marker));
        return dir;
      } catch { /* not here */ }
    }
    const up = dirname(dir);
    if (up === dir) return fallback;
    dir = up;
  }
}

/**
 * `kaizen schedule validate [FILE]`: exit 0 valid, 1 invalid or missing.
 * Without FILE, `<target>/.kaizen/schedule.yml`; with it (as CI and
 * pre-commit hooks call validators), that file, checked against the agents
 * of the repository it sits in.
 */
export async function validateCommand(
  inv: TypedInvocation<typeof VALIDATE_OPTIONS>,
): Promise<number> {
  const given = inv.args[0];
  const target = given === undefined ? inv.opts.target : repoOf(given, inv.opts.target);
  await resolveTarget(target);
  const loaded = await loadSchedule(target, given === undefined ? {} : { file: given });
  const json = inv.opts.format === "json";
  if (!loaded.exists) {
    if (json) {
      stdout(
        JSON.stringify(
          { file: loaded.file, valid: false, exists: false, diagnostics: [] },
          null,
          2,
        ) + "\n",
      );
      return 1;
    }
    throw new CliError(
      given === undefined
        ? `no manifest at ${printable(loaded.file, 500)} (create one with 'kaizen schedule init')`
        : `${printable(given, 500)} does not exist`,
      1,
    );
  }
  const valid = !hasErrors(loaded.diagnostics);
  if (json) {
    const body = {
      file: loaded.file,
      valid,
      exists: true,
      diagnostics: loaded.diagnostics,
      ...(loaded.schedule ? { schedule: loaded.schedule } : {}),
    };
    stdout(JSON.stringify(body, null, 2) + "\n");
    return valid ? 0 : 1;
  }
  for (const d of loaded.diagnostics) {
    stderr(
      formatDiagnostic(d, loaded.file).replace(`: ${d.severity}: `, `: ${label(d.severity)}: `) +
        "\n",
    );
  }
  if (!valid) {
    const n = loaded.diagnostics.filter((d) => d.severity === "error").length;
    stderr(`${printable(loaded.file, 500)}: invalid (${n} ${n === 1 ? "error" : "errors"})\n`);
    return 1;
  }
  const agents = Object.values(loaded.schedule!.agents);
  const enabled = agents.filter((a) => a.enabled).length;
  stdout(
    `${printable(loaded.file, 500)}: valid (${agents.length} ${
      agents.length === 1 ? "agent" : "agents"
    }, ${enabled} enabled)\n`,
  );
  return 0;
}

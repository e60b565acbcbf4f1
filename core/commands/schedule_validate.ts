import { formatDiagnostic, hasErrors } from "../diagnostics.ts";
import type { TypedInvocation } from "../cli/framework.ts";
import type { VALIDATE_OPTIONS } from "./options.ts";
import { CliError, label, stderr, stdout } from "../cli/io.ts";
import { loadSchedule } from "../manifest/load.ts";
import { resolveTarget } from "./target.ts";
import { printable } from "../text/printable.ts";

/** `kaizen schedule validate`: exit 0 valid, 1 invalid or missing. */
export async function validateCommand(
  inv: TypedInvocation<typeof VALIDATE_OPTIONS>,
): Promise<number> {
  await resolveTarget(inv.opts.target);
  const loaded = await loadSchedule(String(inv.opts.target ?? "."));
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
      `no manifest at ${printable(loaded.file, 500)} (create one with 'kaizen schedule init')`,
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

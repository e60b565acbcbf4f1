/**
 * The doctor report as people read it: one line per check with its mark,
 * an indented fix line under every `!` and `✗`, then a one-line summary.
 * Colour follows core/cli/io.ts: red for failures, yellow for warnings
 * (plus green for passes), and only when the caller says so (TTY, no
 * `NO_COLOR`).
 *
 * @module
 */
import { printable } from "../text/printable.ts";
import type { CheckStatus, DoctorReport } from "./model.ts";

/** The mark printed in front of each check. */
export const MARKS: Readonly<Record<CheckStatus, string>> = {
  pass: "✓",
  warn: "!",
  fail: "✗",
  skip: "-",
};

const COLORS: Readonly<Record<CheckStatus, number | undefined>> = {
  pass: 32,
  warn: 33,
  fail: 31,
  skip: undefined,
};

/** Renders `report` as text; `color` adds ANSI colour to the marks. */
export function renderDoctorText(report: DoctorReport, color = false): string {
  const paint = (status: CheckStatus, text: string) => {
    const code = COLORS[status];
    return color && code !== undefined ? `\x1b[${code}m${text}\x1b[0m` : text;
  };
  const width = Math.max(0, ...report.checks.map((c) => c.id.length));
  const lines: string[] = [];
  for (const c of report.checks) {
    // Details quote repo paths and server answers: never raw to a terminal.
    const detail = printable(c.detail, 400);
    lines.push(`${paint(c.status, MARKS[c.status])} ${c.id.padEnd(width)}  ${detail}`);
    if (c.fix !== null && (c.status === "warn" || c.status === "fail")) {
      lines.push(`  ${" ".repeat(width)}  ${paint(c.status, "fix:")} ${printable(c.fix, 400)}`);
    }
  }
  const s = report.summary;
  const total = s.pass + s.warn + s.fail + s.skip;
  const counts = `${s.pass} passed, ${s.warn} ${
    s.warn === 1 ? "warning" : "warnings"
  }, ${s.fail} failed, ${s.skip} skipped`;
  lines.push(
    "",
    `${s.ok ? paint("pass", "ready") : paint("fail", "not ready")}: ${total} ${
      total === 1 ? "check" : "checks"
    }, ${counts}`,
  );
  return lines.join("\n") + "\n";
}

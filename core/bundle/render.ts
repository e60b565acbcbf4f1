/**
 * Renders a {@link Bundle} as markdown (for a session to read) or JSON (for a
 * runner to parse). Pure functions: same bundle, same bytes.
 *
 * @module
 */
import { byteLength } from "./hash.ts";
import { demoteHeadings } from "./headings.ts";
import type { Bundle, BundleFormat } from "./types.ts";

/** Renders `bundle` in `format` with `bundle.bytes` set to the output's own size. */
export function renderBundle(
  bundle: Bundle,
  format: BundleFormat,
): { text: string; bundle: Bundle } {
  return format === "json" ? renderJson(bundle) : renderMarkdown(bundle);
}

function renderMarkdown(bundle: Bundle): { text: string; bundle: Bundle } {
  // `bytes` is not shown in markdown, so one pass gives the exact size.
  const text = markdownText(bundle);
  return { text, bundle: { ...bundle, bytes: byteLength(text) } };
}

/**
 * JSON carries its own size in `bytes`; iterate until the number of digits
 * stops changing (at most a couple of passes) so the value is exact.
 */
function renderJson(bundle: Bundle): { text: string; bundle: Bundle } {
  let current = { ...bundle, bytes: 0 };
  for (let i = 0; i < 5; i++) {
    const text = JSON.stringify(current, null, 2) + "\n";
    const size = byteLength(text);
    if (size === current.bytes) return { text, bundle: current };
    current = { ...current, bytes: size };
  }
  const text = JSON.stringify(current, null, 2) + "\n";
  return { text, bundle: current };
}

function scheduleLine(b: Bundle): string {
  const s = b.schedule;
  if (s.manifest === "absent") {
    return "no `.kaizen/schedule.yml` in this repository (cadence unknown)";
  }
  if (s.manifest === "invalid") {
    return "`.kaizen/schedule.yml` is invalid (run `kaizen schedule validate`)";
  }
  if (!s.listed) return `\`${b.agent}\` is not listed in \`.kaizen/schedule.yml\``;
  const parts = [b.cadence ?? "?"];
  if (s.cron) parts.push(`cron \`${s.cron}\``);
  if (s.timezone) parts.push(s.timezone);
  parts.push(s.enabled ? "enabled" : "**disabled**");
  return parts.join(", ");
}

function markdownText(b: Bundle): string {
  const out: string[] = [];
  out.push(`# Orientation: ${b.agent} in ${b.repo}`, "");
  out.push(
    `This bundle opens a scheduled \`${b.agent}\` session. Read it top to bottom, do the work the prompt describes, and finish with the commands in the last section.`,
    "",
  );
  out.push("| | |", "|---|---|");
  out.push(`| Repository | ${b.repo} (\`${b.root}\`) |`);
  out.push(`| Agent | ${b.agent} (${b.agent_prompt_source ?? "no"} prompt) |`);
  out.push(`| Schedule | ${scheduleLine(b)} |`);
  out.push(`| Prepared | ${b.generated_at} by kaizen ${b.kaizen_version} |`);
  if (b.tokens !== null) {
    out.push(
      `| Size | ${b.tokens} tokens (${b.token_encoding})${
        b.max_tokens ? `, budget ${b.max_tokens}` : ""
      } |`,
    );
  }
  if (b.redactions > 0) {
    out.push(`| Redacted | ${b.redactions} secret${b.redactions === 1 ? "" : "s"} |`);
  }
  out.push("");
  if (b.warnings.length > 0) {
    out.push("> **Warnings**", ">");
    for (const w of b.warnings) out.push(`> - ${w}`);
    out.push("");
  }
  for (const s of b.sections) {
    out.push(`## ${s.title}`, "");
    if (s.source && s.status === "ok") out.push(`_Source: \`${s.source}\`_`, "");
    const body = s.content.trimEnd();
    out.push(
      body === "" && s.truncated
        ? "_[kaizen: section omitted to fit the token budget]_"
        : demoteHeadings(body),
      "",
    );
  }
  out.push("---", `_kaizen bundle \`${b.sha256.slice(0, 16)}\` · ${b.prepare_command}_`);
  return out.join("\n") + "\n";
}

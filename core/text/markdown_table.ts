/** Renders a GitHub-flavoured markdown table; cell pipes and newlines are escaped. */
export function renderMarkdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(" | ")} |`;
  return [line(header), `|${header.map(() => "---").join("|")}|`, ...rows.map(line)].join("\n");
}

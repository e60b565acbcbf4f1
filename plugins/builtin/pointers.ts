import type { BundlePointer, SectionPlugin } from "../../plugin.ts";

/** Repo files every session should know about, with the label used in bundles and events. */
export const POINTER_FILES: readonly BundlePointer[] = [
  { label: "scope", path: "SCOPE.md" },
  { label: "todo", path: "TODO.md" },
];

const MAX_LINES = 60;
const MAX_OPEN_ITEMS = 25;

/** SCOPE.md and TODO.md: what is in bounds, and what is waiting. */
export const pointersSection: SectionPlugin = {
  id: "pointers",
  title: "Repository pointers",
  order: 400,
  priority: 10,
  summaryFields: ["pointers"],
  async collect(ctx) {
    const found: BundlePointer[] = [];
    const parts: string[] = [];
    for (const p of POINTER_FILES) {
      const r = await ctx.files.readText(p.path);
      if (r.status === "refused") {
        ctx.warn(`${p.path} not read: ${r.reason}`);
        continue;
      }
      if (r.status !== "ok") continue;
      found.push(p);
      parts.push(p.label === "todo" ? todoExcerpt(p.path, r.text) : excerpt(p.path, r.text));
    }
    if (found.length === 0) {
      return {
        status: "missing",
        content: "_No SCOPE.md or TODO.md in the repository root._",
        data: { pointers: [] },
      };
    }
    return {
      content: parts.join("\n\n"),
      source: found.map((f) => f.path).join(", "),
      data: { pointers: found },
      summary: { pointers: found.map((f) => f.label) },
    };
  },
};

function excerpt(path: string, text: string): string {
  const lines = text.trimEnd().split("\n");
  const shown = lines.slice(0, MAX_LINES);
  const more = lines.length - shown.length;
  return [
    `**\`${path}\`**`,
    "",
    ...quote(shown),
    ...(more > 0 ? ["", `_(${more} more lines in \`${path}\`)_`] : []),
  ].join("\n");
}

/** Open checklist items are what a session can act on; fall back to the top of the file. */
function todoExcerpt(path: string, text: string): string {
  const open = text.split("\n").filter((l) => /^\s*[-*+]\s+\[ \]/.test(l));
  if (open.length === 0) return excerpt(path, text);
  const shown = open.slice(0, MAX_OPEN_ITEMS).map((l) => l.trimEnd());
  const more = open.length - shown.length;
  return [
    `**\`${path}\`** — ${open.length} open ${open.length === 1 ? "item" : "items"}:`,
    "",
    ...shown,
    ...(more > 0 ? ["", `_(${more} more open items in \`${path}\`)_`] : []),
  ].join("\n");
}

function quote(lines: string[]): string[] {
  return lines.map((l) => (l === "" ? ">" : `> ${l}`));
}

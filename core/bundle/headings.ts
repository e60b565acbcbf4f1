/**
 * Shifts ATX headings in embedded markdown down by `levels` (max `######`),
 * outside fenced code blocks, so an embedded document's `# Title` nests under
 * the bundle's own `##` section heading instead of competing with it.
 */
export function demoteHeadings(markdown: string, levels = 2): string {
  let fence: string | null = null;
  return markdown.split("\n").map((line) => {
    const f = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (f) {
      if (fence === null) fence = f[1][0];
      else if (f[1][0] === fence) fence = null;
      return line;
    }
    if (fence !== null) return line;
    const h = /^(\s{0,3})(#{1,6})(\s|$)/.exec(line);
    if (!h) return line;
    const depth = Math.min(6, h[2].length + levels);
    return `${h[1]}${"#".repeat(depth)}${line.slice(h[1].length + h[2].length)}`;
  }).join("\n");
}

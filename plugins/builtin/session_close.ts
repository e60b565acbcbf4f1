import { memoryPath, type SectionPlugin, shellQuote } from "../../plugin.ts";

/** The commands a session runs at the end, so the next bundle knows how it went. */
export function sessionCloseCommands(program: string, agent: string, root: string): string[] {
  const t = shellQuote(root);
  return [
    `${program} metrics record ${agent} --success --time <s> --quality <0-1> --target ${t}`,
    `${program} memory add ${agent} "<what you learned>" --target ${t}`,
  ];
}

/** Closing instructions: record metrics, update memory. */
export const sessionCloseSection: SectionPlugin = {
  id: "session-close",
  title: "Before you finish",
  order: 900,
  required: true,
  summaryFields: ["session_close"],
  collect(ctx) {
    const commands = sessionCloseCommands(ctx.program, ctx.agent, ctx.root);
    const content = [
      "Record this run so the next session starts from it:",
      "",
      "```sh",
      ...commands,
      "```",
      "",
      "- `--time` is the session's wall time in seconds; `--quality` your honest 0–1 rating of the outcome.",
      "- Use `--failure` instead of `--success` when the run did not reach its goal.",
      `- Add 2–5 short, dated lessons to memory (\`${
        memoryPath(ctx.agent)
      }\`); one \`memory add\` per lesson.`,
    ].join("\n");
    return { content, data: { commands }, summary: { session_close: commands } };
  },
};

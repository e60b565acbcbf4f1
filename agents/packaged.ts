/**
 * The agent prompts shipped inside the binary. Imported as text so that
 * `deno bundle` and `deno compile` carry them without file-system access.
 *
 * @module
 */
import coach from "./agent-coach.md" with { type: "text" };
import optimization from "./agent-optimization.md" with { type: "text" };
import tddWorkflow from "./agent-tdd-workflow.md" with { type: "text" };

/** Packaged agent name → prompt markdown. */
export const PACKAGED_AGENTS: Readonly<Record<string, string>> = {
  coach,
  optimization,
  "tdd-workflow": tddWorkflow,
};

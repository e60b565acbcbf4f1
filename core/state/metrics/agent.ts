/**
 * Which agent a metrics operation is about: a name that is safe as a path
 * segment, and (for writes) an agent the repository knows.
 *
 * @module
 */
import { agentCatalog } from "../../agents/catalog.ts";
import { AGENT_NAME_RE } from "../../manifest/constants.ts";
import { didYouMean } from "../../text/suggest.ts";
import { printable } from "../../text/printable.ts";
import { MetricsError } from "./record.ts";

/** Folder under `.kaizen/metrics/` that holds the optimizer's output, not an agent's runs. */
export const OPTIMIZER_FOLDER = "optimizer";

/**
 * Checks the agent name (it becomes a path segment) and, unless
 * `allowUnknown`, that the agent exists for `root`, with a suggestion when
 * it does not.
 */
export async function checkAgent(
  root: string,
  agent: string,
  allowUnknown = false,
): Promise<void> {
  if (!AGENT_NAME_RE.test(agent)) {
    throw new MetricsError(
      `'${printable(agent)}' is not an agent name (lowercase letters, digits and '-')`,
      "invalid",
    );
  }
  if (allowUnknown) return;
  const names = (await agentCatalog(root)).map((a) => a.name);
  if (!names.includes(agent)) {
    throw new MetricsError(
      `unknown agent '${agent}'${didYouMean(agent, names)}; known: ${names.join(", ")}`,
      "unknown-agent",
    );
  }
}

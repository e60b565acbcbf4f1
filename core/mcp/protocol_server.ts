/**
 * The MCP server side of the SDK's `Protocol` (its JSON-RPC engine: request
 * and response correlation, cancellation, `ping`, error responses), with
 * the `initialize` handshake added.
 *
 * Why not the SDK's `Server` class: it is this plus sampling, elicitation
 * and task helpers a server that only *answers* never calls, and it loads
 * the `ajv` JSON Schema validator for them at import — about 45 ms of every
 * `kaizen mcp` start (measured with a dynamic import from source), which is
 * most of what a session waits for before its first bundle. The handshake
 * is the SDK's own: same version negotiation, same result shape.
 *
 * @module
 */
// @ts-types="@modelcontextprotocol/sdk/shared/protocol"
import { Protocol } from "@modelcontextprotocol/sdk/shared/protocol.js";
// The package's "./*" export maps `types.js` to a missing `types.js.d.ts`; point at the real one.
// @ts-types="@modelcontextprotocol/sdk/types"
import {
  type Implementation,
  InitializedNotificationSchema,
  InitializeRequestSchema,
  LATEST_PROTOCOL_VERSION,
  type Notification,
  type Request,
  type Result,
  type ServerCapabilities,
  SUPPORTED_PROTOCOL_VERSIONS,
} from "@modelcontextprotocol/sdk/types.js";

export class ProtocolServer extends Protocol<Request, Notification, Result> {
  constructor(
    readonly serverInfo: Implementation,
    readonly capabilities: ServerCapabilities,
    readonly instructions?: string,
  ) {
    super();
    this.setRequestHandler(InitializeRequestSchema, (request) => {
      const asked = request.params.protocolVersion;
      return {
        protocolVersion: SUPPORTED_PROTOCOL_VERSIONS.includes(asked)
          ? asked
          : LATEST_PROTOCOL_VERSION,
        capabilities: this.capabilities,
        serverInfo: this.serverInfo,
        ...(this.instructions ? { instructions: this.instructions } : {}),
      };
    });
    this.setNotificationHandler(InitializedNotificationSchema, () => {});
  }

  // This server sends no requests or notifications of its own and offers no
  // tasks, so there is no capability to check before sending or handling.
  protected assertCapabilityForMethod(): void {}
  protected assertNotificationCapability(): void {}
  protected assertRequestHandlerCapability(): void {}
  protected assertTaskCapability(): void {}
  protected assertTaskHandlerCapability(): void {}
}

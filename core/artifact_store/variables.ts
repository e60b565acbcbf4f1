/**
 * The environment variables that configure the artifact store: kept apart
 * from the client so naming them loads nothing.
 *
 * @module
 */

/** The variable the token comes from; messages name it. */
export const TOKEN_VARIABLE = "ARTIFACTSTORE_API_TOKEN";

/** The variable the base URL comes from; messages name it. */
export const URL_VARIABLE = "ARTIFACTSTORE_API_URL";

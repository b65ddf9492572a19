/**
 * Finding the endpoint a dashboard address names, and the page when there is none: shared
 * by the endpoint pages (endpoints.tsx) and their recovery forms (endpoint-recovery.tsx).
 */

import type { Endpoint } from "../../store/endpoints.ts";
import type { Store } from "../../store/store.ts";
import { errorPageResponse } from "../components/index.ts";
import { isPlausibleText } from "./event-display.ts";

/** Undefined for an id no endpoint could have (control characters, too long) or none stored. */
export async function findEndpoint(
  store: Pick<Store, "endpoints">,
  id: string,
): Promise<Endpoint | undefined> {
  return isPlausibleText(id) ? store.endpoints.get(id) : undefined;
}

export function endpointNotFound(id: string): Response {
  return errorPageResponse({
    status: 404,
    title: "Endpoint not found",
    message: `There is no endpoint with id "${id}"; it may have been deleted.`,
    active: "endpoints",
  });
}

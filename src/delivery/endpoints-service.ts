/**
 * Endpoint management, apart from HTTP so the API and the dashboard share it: every
 * field is checked at once (one 422 names every bad field), then the URL's destination
 * (DNS) unless ALLOW_PRIVATE_ENDPOINTS, then the store.
 */
import type { AppContext } from "../context.ts";
import { unprocessable } from "../http/errors.ts";
import type { FieldProblem } from "../http/query.ts";
import { generateEndpointSecret, validateWebhookSecret } from "../lib/standard-webhooks.ts";
import type { Endpoint, EndpointPatch } from "../store/endpoints.ts";
import { validateEventTypeFilters, WILDCARD } from "./event-types.ts";
import { parseFilter } from "./payload-filter/index.ts";
import { assertPublicDestination, type HostLookup, validateEndpointUrl } from "./ssrf.ts";

export const MAX_DESCRIPTION_LENGTH = 1000;

const FIELDS = ["url", "event_types", "filter", "description", "secret", "enabled"] as const;

/** The fields a client sent, checked; absent ones stay absent. */
export interface EndpointInput {
  readonly url?: string;
  readonly eventTypes?: readonly string[];
  /** A payload filter, checked (./payload-filter/); null removes it. */
  readonly filter?: unknown;
  readonly description?: string;
  readonly secret?: string;
  readonly enabled?: boolean;
}

export type ParsedEndpointInput =
  | { readonly ok: true; readonly input: EndpointInput }
  | { readonly ok: false; readonly problems: readonly FieldProblem[] };

/**
 * Checks a POST (`url` required) or PATCH body without I/O. Unknown fields are refused:
 * a misspelt `event_type` silently ignored would subscribe the endpoint to everything.
 */
export function parseEndpointInput(body: unknown, mode: "create" | "update"): ParsedEndpointInput {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, problems: [{ field: "body", message: "expected a JSON object" }] };
  }
  const fields = body as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  const problem = (field: string, message: string | undefined) => {
    if (message !== undefined) problems.push({ field, message });
  };
  for (const name of Object.keys(fields)) {
    if (!(FIELDS as readonly string[]).includes(name)) {
      problem(name, `unknown field; expected ${FIELDS.join(", ")}`);
    }
  }
  const { url, event_types, filter, description, secret, enabled } = fields;

  const checkedUrl = url === undefined ? undefined : normaliseEndpointUrl(url);
  if (url === undefined) problem("url", mode === "create" ? "required" : undefined);
  else if (!checkedUrl?.ok) problem("url", checkedUrl?.message);
  if (event_types !== undefined) problem("event_types", validateEventTypeFilters(event_types));
  if (filter !== undefined && filter !== null) {
    const parsed = parseFilter(filter);
    // Each problem names its place in the filter (filter.data.amount.$gtt).
    if (!parsed.ok) for (const { path, message } of parsed.problems) problem(path, message);
  }
  if (description !== undefined) {
    problem(
      "description",
      typeof description !== "string"
        ? "must be a string"
        : description.length > MAX_DESCRIPTION_LENGTH
          ? `must be at most ${MAX_DESCRIPTION_LENGTH} characters`
          : undefined,
    );
  }
  if (secret !== undefined) problem("secret", validateWebhookSecret(secret));
  if (enabled !== undefined && typeof enabled !== "boolean")
    problem("enabled", "must be true or false");
  if (problems.length > 0) return { ok: false, problems };

  return {
    ok: true,
    input: {
      ...(checkedUrl?.ok ? { url: checkedUrl.url } : {}),
      ...(event_types === undefined
        ? {}
        : { eventTypes: [...new Set(event_types as readonly string[])] }),
      ...(filter === undefined ? {} : { filter: isEmptyFilter(filter) ? null : filter }),
      ...(description === undefined ? {} : { description: description as string }),
      ...(secret === undefined ? {} : { secret: secret as string }),
      ...(enabled === undefined ? {} : { enabled: enabled as boolean }),
    },
  };
}

/** `{}` takes every event, as no filter does: stored as none, so nothing is evaluated. */
function isEmptyFilter(filter: unknown): boolean {
  return (
    filter === null ||
    (typeof filter === "object" && !Array.isArray(filter) && Object.keys(filter).length === 0)
  );
}

/**
 * The URL as it will be stored, listed and sent to: as the WHATWG parser writes it (host
 * in lower case, default port dropped, `<`, spaces and the like percent-encoded), the one
 * form that every later reader (fetch, the answers' schema, the dashboard) agrees on. The
 * checks run on both forms: encoding can make a URL longer.
 */
export function normaliseEndpointUrl(
  url: unknown,
): { readonly ok: true; readonly url: string } | { readonly ok: false; readonly message: string } {
  if (typeof url !== "string") return { ok: false, message: "must be a string" };
  const problem = validateEndpointUrl(url);
  if (problem !== undefined) return { ok: false, message: problem };
  const normalised = new URL(url).href;
  const again = validateEndpointUrl(normalised);
  return again === undefined ? { ok: true, url: normalised } : { ok: false, message: again };
}

export type EndpointContext = Pick<AppContext, "store" | "config" | "now">;

export interface DestinationOptions {
  /** Resolver override for tests. */
  readonly lookup?: HostLookup;
}

/** Validates and stores a new endpoint; a missing secret is generated. Throws a 422. */
export async function createEndpoint(
  ctx: EndpointContext,
  body: unknown,
  options: DestinationOptions = {},
): Promise<Endpoint> {
  const input = await checkedInput(ctx, body, "create", options);
  return ctx.store.endpoints.create(
    {
      url: input.url as string,
      description: input.description ?? "",
      secret: input.secret ?? generateEndpointSecret(),
      // Explicit rather than `[]` (which means the same): the JSON then says what it receives.
      eventTypes: input.eventTypes ?? [WILDCARD],
      filter: input.filter ?? null,
      enabled: input.enabled ?? true,
    },
    ctx.now(),
  );
}

/** Applies a partial update; undefined when there is no such endpoint. Throws a 422. */
export async function updateEndpoint(
  ctx: EndpointContext,
  id: string,
  body: unknown,
  options: DestinationOptions = {},
): Promise<Endpoint | undefined> {
  const input = await checkedInput(ctx, body, "update", options);
  const patch: EndpointPatch = {
    ...input,
    // Enabling clears why hookyard disabled it; disabling by hand leaves no reason.
    ...(input.enabled === undefined ? {} : { disabledReason: null }),
  };
  const updated = await ctx.store.endpoints.update(id, patch, ctx.now());
  // Deliveries queued while it was disabled are due now: no need to wait for the next poll.
  if (updated?.enabled && input.enabled === true) await ctx.store.wake("deliveries");
  return updated;
}

/**
 * A new secret, effective from the next attempt on. For SECRET_ROTATION_OVERLAP deliveries
 * carry a signature made with the old one too (Standard Webhooks lists several, and a
 * receiver needs one to verify), so receivers can switch to the new one (the response
 * shows it) at their pace. Rotating again within the overlap drops the oldest.
 */
export function rotateEndpointSecret(
  ctx: EndpointContext,
  id: string,
): Promise<Endpoint | undefined> {
  const now = ctx.now();
  const previousUntil = new Date(now.getTime() + ctx.config.secretRotationOverlapMs);
  return ctx.store.endpoints.rotateSecret(id, generateEndpointSecret(), previousUntil, now);
}

async function checkedInput(
  ctx: EndpointContext,
  body: unknown,
  mode: "create" | "update",
  options: DestinationOptions,
): Promise<EndpointInput> {
  const parsed = parseEndpointInput(body, mode);
  if (!parsed.ok) throw unprocessable("invalid endpoint", parsed.problems);
  const { url } = parsed.input;
  if (url !== undefined) {
    const destination = await assertPublicDestination(url, {
      allowPrivate: ctx.config.allowPrivateEndpoints,
      ...(options.lookup ? { lookup: options.lookup } : {}),
    });
    if (!destination.ok) {
      throw unprocessable("invalid endpoint", [{ field: "url", message: destination.message }]);
    }
  }
  return parsed.input;
}

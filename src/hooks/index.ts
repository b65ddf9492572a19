/**
 * Named trigger hooks: POST /webhook registers one for a user id (ADMIN_TOKEN when set);
 * GET or POST /webhook/:id triggers it, with no credentials but the unguessable id.
 */
import { Elysia, t } from "elysia";
import type { AppContext } from "../context.ts";
import { assertAdmin } from "../http/auth.ts";
import { parseFormBody, parseJsonBody, rawBodyOf, unstorableBody } from "../http/body.ts";
import { notFound, unprocessable } from "../http/errors.ts";
import { isStorableText } from "../lib/storable.ts";
import type { Hook } from "../store/hooks.ts";
import { hookEventPayload, runHookHandler } from "./handler.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_HOOKS_LISTED = 1000;

const HookSchema = t.Object({
  id: t.String({ format: "uuid" }),
  userid: t.String(),
  created_at: t.String({ format: "date-time" }),
  last_triggered_at: t.Nullable(t.String({ format: "date-time" })),
  trigger_count: t.Integer(),
});

const hookJson = (hook: Hook): typeof HookSchema.static => ({
  id: hook.id,
  userid: hook.userid,
  created_at: hook.createdAt.toISOString(),
  last_triggered_at: hook.lastTriggeredAt?.toISOString() ?? null,
  trigger_count: hook.triggerCount,
});

/** The trigger route takes any body as the caller sent it. */
export const HOOK_RAW_BODY_ROUTES = ["/webhook/:id"] as const;

export function hookRoutes(ctx: AppContext) {
  const admin = ({ request }: { request: Request }) =>
    assertAdmin(request, ctx.config.adminToken, "api");

  const findHook = async (id: string) => {
    const hook = UUID.test(id) ? await ctx.store.hooks.get(id.toLowerCase()) : undefined;
    if (!hook) throw notFound(`no hook with id "${id}"`);
    return hook;
  };

  const trigger = async (
    request: Request,
    rawBody: unknown,
    id: string,
    query: Record<string, string | undefined>,
  ) => {
    const hook = await findHook(id);
    const body =
      request.method === "GET"
        ? null
        : decodeTriggerBody(
            await rawBodyOf(rawBody, request, ctx.config.maxBodySizeBytes),
            request.headers.get("content-type") ?? "",
          );
    const now = ctx.now();
    const trigger = { hook, body, query };
    runHookHandler(trigger, ctx.log);
    const result = await ctx.store.events.record({
      source: "hook",
      type: "hook.triggered",
      entityType: "hook",
      entityId: hook.id,
      action: "triggered",
      occurredAt: now,
      receivedAt: now,
      payload: hookEventPayload(trigger),
      headers: {},
    });
    await ctx.store.hooks.markTriggered(hook.id, now);
    const eventId = result.status === "stored" ? result.event.id : result.eventId;
    ctx.metrics.eventsIngested.inc({ source: "hook", outcome: "stored" });
    return new Response(JSON.stringify({ message: "web hook triggered", event_id: eventId }), {
      status: 201,
      headers: { "content-type": "application/json" },
    });
  };

  const triggerDoc = {
    summary: "Trigger a hook: runs its handler and records a hook.triggered event",
  };

  return new Elysia({ name: "hooks", tags: ["Hooks"] })
    .post(
      "/webhook",
      async ({ body }) => {
        const userid = (body as { userid?: unknown } | undefined)?.userid;
        if (typeof userid !== "string" || userid.trim() === "" || userid.length > 256) {
          throw unprocessable("invalid hook", [
            { field: "userid", message: "required: a non-empty string of at most 256 characters" },
          ]);
        }
        const hook = await ctx.store.hooks.create(userid.trim(), ctx.now());
        return { id: hook.id };
      },
      {
        beforeHandle: admin,
        body: t.Unknown({
          description: 'JSON `{"userid": "alice"}` or a form field userid=alice',
        }),
        response: { 200: t.Object({ id: t.String({ format: "uuid" }) }) },
        detail: { summary: "Register a hook for a user id", security: [{ adminToken: [] }] },
      },
    )
    .get(
      "/webhook",
      async () => ({ hooks: (await ctx.store.hooks.list(MAX_HOOKS_LISTED)).map(hookJson) }),
      {
        beforeHandle: admin,
        response: { 200: t.Object({ hooks: t.Array(HookSchema) }) },
        detail: { summary: "List hooks, newest first", security: [{ adminToken: [] }] },
      },
    )
    .delete(
      "/webhook/:id",
      async ({ params }) => {
        const hook = await findHook(params.id);
        await ctx.store.hooks.delete(hook.id);
        return new Response(null, { status: 204 });
      },
      { beforeHandle: admin, detail: { summary: "Delete a hook", security: [{ adminToken: [] }] } },
    )
    .get("/webhook/:id", ({ request, params, query }) => trigger(request, null, params.id, query), {
      detail: triggerDoc,
    })
    .post(
      "/webhook/:id",
      ({ request, body, params, query }) => trigger(request, body, params.id, query),
      { detail: triggerDoc },
    );
}

/** The trigger's body as the caller sent it: JSON, form fields, text, or null when empty. */
function decodeTriggerBody(bytes: Uint8Array, contentType: string): unknown {
  if (bytes.byteLength === 0) return null;
  if (contentType.includes("json")) return parseJsonBody(bytes);
  const text = new TextDecoder().decode(bytes);
  if (contentType.startsWith("application/x-www-form-urlencoded")) return parseFormBody(text);
  if (!isStorableText(text)) throw unstorableBody();
  return text;
}

/**
 * `/dashboard/hooks`: named trigger hooks. Lists them with their trigger URLs, registers
 * one for a user id, deletes one. Both forms post with the CSRF token and are refused
 * unless same-origin (see csrf.ts), then redirect back (303) so a reload repeats nothing.
 */
import { Elysia } from "elysia";
import type { AppContext } from "../../context.ts";
import type { Hook } from "../../store/hooks.ts";
import { errorPageResponse, queryValue } from "../components/index.ts";
import { issueCsrfToken } from "../csrf.ts";
import { htmlResponse, seeOther } from "../html.ts";
import { displayOrigin } from "./event-display.ts";
import { refuseForgedPost } from "./forged-post.ts";
import { HooksPage, type HooksPageProps } from "./hooks-view.tsx";

/** Hooks listed on the page; GET /webhook has the same bound. */
export const HOOKS_SHOWN = 1000;
export const MAX_USERID_LENGTH = 256;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type FormBody = Readonly<Record<string, unknown>> | undefined;
const field = (body: unknown, name: string): unknown => (body as FormBody)?.[name];

/** The user id a form submitted, or why it cannot be registered. */
export function readUserid(
  value: unknown,
): { ok: true; userid: string } | { ok: false; message: string } {
  const userid = typeof value === "string" ? value.trim() : "";
  if (userid === "") return { ok: false, message: "Enter a user id." };
  if (userid.length > MAX_USERID_LENGTH) {
    return { ok: false, message: `A user id has at most ${MAX_USERID_LENGTH} characters.` };
  }
  return { ok: true, userid };
}

export function hooksPages(ctx: AppContext) {
  const render = async (
    request: Request,
    extra: Pick<HooksPageProps, "notice" | "userid"> & { status?: number },
  ) => {
    const csrf = issueCsrfToken(request);
    const hooks = await ctx.store.hooks.list(HOOKS_SHOWN + 1);
    return htmlResponse(
      <HooksPage
        hooks={hooks.slice(0, HOOKS_SHOWN)}
        more={hooks.length > HOOKS_SHOWN}
        origin={displayOrigin(request)}
        adminTokenRequired={ctx.config.adminToken !== undefined}
        csrfToken={csrf.token}
        notice={extra.notice}
        userid={extra.userid}
      />,
      { status: extra.status, headers: csrf.headers },
    );
  };

  return new Elysia({ name: "dashboard.hooks" })
    .get("/dashboard/hooks", async ({ request, query }) => {
      return render(request, { notice: await outcomeNotice(query) });
    })
    .post("/dashboard/hooks", async ({ request, body }) => {
      const refusal = refuseForgedPost(request, body, "hooks");
      if (refusal) return refusal;
      const userid = readUserid(field(body, "userid"));
      if (!userid.ok) {
        const typed = field(body, "userid");
        return render(request, {
          status: 422,
          notice: { tone: "bad", message: userid.message },
          userid: typeof typed === "string" ? typed : undefined,
        });
      }
      const hook = await ctx.store.hooks.create(userid.userid, ctx.now());
      return seeOther(`/dashboard/hooks?created=${hook.id}`);
    })
    .post("/dashboard/hooks/:id/delete", async ({ request, body, params }) => {
      const refusal = refuseForgedPost(request, body, "hooks");
      if (refusal) return refusal;
      const deleted =
        UUID.test(params.id) && (await ctx.store.hooks.delete(params.id.toLowerCase()));
      if (!deleted) {
        return errorPageResponse({
          status: 404,
          title: "Hook not found",
          message: `There is no hook with id "${params.id}"; it may have been deleted already.`,
          active: "hooks",
        });
      }
      return seeOther("/dashboard/hooks?deleted=1");
    });

  /** What the redirect after a form says, read back from the query it carries. */
  async function outcomeNotice(
    query: Readonly<Record<string, string | undefined>>,
  ): Promise<HooksPageProps["notice"]> {
    const created = queryValue(query, "created");
    if (created !== undefined && UUID.test(created)) {
      // Looked up rather than echoed, so a crafted link cannot make the page say anything.
      const hook: Hook | undefined = await ctx.store.hooks.get(created.toLowerCase());
      if (hook) return { tone: "ok", message: `Hook registered for ${hook.userid}.` };
    }
    if (queryValue(query, "deleted") !== undefined) return { tone: "ok", message: "Hook deleted." };
    return undefined;
  }
}

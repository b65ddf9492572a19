/**
 * `/dashboard/hooks`: named trigger hooks. Lists them with their trigger URLs, registers
 * one for a user id, deletes one. Both forms post with the CSRF token and are refused
 * unless same-origin (see csrf.ts), then redirect back (303) so a reload repeats nothing,
 * with a one-time notice (flash.ts).
 */
import { Elysia } from "elysia";
import type { AppContext } from "../../context.ts";
import type { Hook } from "../../store/hooks.ts";
import { errorPageResponse } from "../components/index.ts";
import { seeOtherWithNotice, splitNotice } from "../flash.ts";
import { htmlResponse } from "../html.ts";
import { pageCookies } from "../page-cookies.ts";
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
    extra: Pick<HooksPageProps, "notice" | "userid"> & { status?: number } = {},
  ) => {
    const page = pageCookies(request);
    const hooks = await ctx.store.hooks.list(HOOKS_SHOWN + 1);
    return htmlResponse(
      <HooksPage
        hooks={hooks.slice(0, HOOKS_SHOWN)}
        more={hooks.length > HOOKS_SHOWN}
        origin={displayOrigin(request)}
        adminTokenRequired={ctx.config.adminToken !== undefined}
        csrfToken={page.csrfToken}
        notice={extra.notice ?? (await outcomeNotice(page.notice))}
        userid={extra.userid}
      />,
      { status: extra.status, headers: page.headers },
    );
  };

  return new Elysia({ name: "dashboard.hooks" })
    .get("/dashboard/hooks", ({ request }) => render(request))
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
      return seeOtherWithNotice("/dashboard/hooks", `created:${hook.id}`, request);
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
      return seeOtherWithNotice("/dashboard/hooks", "deleted", request);
    });

  /** What the page says once after a form, from the notice the redirect left. */
  async function outcomeNotice(notice: string | undefined): Promise<HooksPageProps["notice"]> {
    const [keyword, id] = splitNotice(notice);
    if (keyword === "created" && id !== undefined && UUID.test(id)) {
      // Looked up rather than carried, so a planted cookie cannot make the page say anything.
      const hook: Hook | undefined = await ctx.store.hooks.get(id.toLowerCase());
      if (hook) return { tone: "ok", message: `Hook registered for ${hook.userid}.` };
    }
    if (keyword === "deleted") return { tone: "ok", message: "Hook deleted." };
    return undefined;
  }
}

/**
 * What a named hook does when triggered. The original brief asked for a handler that
 * receives the hook's user id; hookyard's logs it and records a `hook.triggered` event,
 * which then goes out to every endpoint subscribed to that type.
 */
import type { Logger } from "../ops/log.ts";
import type { Hook } from "../store/hooks.ts";

export interface HookTrigger {
  readonly hook: Hook;
  readonly body: unknown;
  readonly query: Readonly<Record<string, string | undefined>>;
}

export function runHookHandler({ hook }: HookTrigger, log: Logger): void {
  log.info("hook triggered", { hook_id: hook.id, userid: hook.userid });
}

/** The payload of the `hook.triggered` event. */
export function hookEventPayload({ hook, body, query }: HookTrigger) {
  return { hook_id: hook.id, userid: hook.userid, body, query };
}

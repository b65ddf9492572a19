#!/usr/bin/env bun
/**
 * Sends an event to a hookyard source as Stripe sends it (`Stripe-Signature: t=…,v1=…`,
 * HMAC-SHA256 of `t.body` keyed with the endpoint's signing secret), so that a `stripe`
 * source and `hookyard listen` can be tried without a Stripe account.
 *
 *   bun scripts/send-stripe-event.ts --url http://localhost:8000/in/stripe --secret whsec_…
 *       [--type invoice.paid] [--amount 4200]
 */
import { createHmac, randomBytes } from "node:crypto";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: "http://localhost:8000/in/stripe" },
    secret: { type: "string" },
    type: { type: "string", default: "invoice.paid" },
    amount: { type: "string", default: "4200" },
  },
});
if (!values.secret) {
  console.error("--secret: required: the source's signing secret (whsec_…)");
  process.exit(2);
}
const created = Math.floor(Date.now() / 1000);
const body = JSON.stringify({
  id: `evt_${randomBytes(12).toString("hex")}`,
  object: "event",
  type: values.type,
  created,
  livemode: false,
  data: {
    object: { object: "invoice", amount_paid: Number(values.amount), currency: "eur" },
  },
});
const signature = createHmac("sha256", values.secret).update(`${created}.${body}`).digest("hex");
const response = await fetch(values.url, {
  method: "POST",
  headers: {
    "content-type": "application/json; charset=utf-8",
    "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
    "stripe-signature": `t=${created},v1=${signature}`,
  },
  body,
});
console.log(response.status, await response.text());
process.exit(response.ok ? 0 : 1);

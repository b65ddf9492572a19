-- Endpoint health, kept by the records of attempts: failures since the last success and
-- when the first of them was made (auto-disable reads it), the last attempt's time and
-- status. Existing endpoints start healthy; their next attempt sets it right.
-- The secret before the last rotation, which still signs until previous_secret_until.
-- Each attempt's response headers (bounded by the worker), beside its response body.
ALTER TABLE `deliveries` ADD `last_response_headers` text;--> statement-breakpoint
ALTER TABLE `delivery_attempts` ADD `response_headers` text;--> statement-breakpoint
ALTER TABLE `endpoints` ADD `consecutive_failures` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `endpoints` ADD `failing_since` integer;--> statement-breakpoint
ALTER TABLE `endpoints` ADD `last_attempt_at` integer;--> statement-breakpoint
ALTER TABLE `endpoints` ADD `last_status_code` integer;--> statement-breakpoint
ALTER TABLE `endpoints` ADD `previous_secret` text;--> statement-breakpoint
ALTER TABLE `endpoints` ADD `previous_secret_until` integer;
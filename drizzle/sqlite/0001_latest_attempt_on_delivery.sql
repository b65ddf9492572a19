-- A delivery's latest attempt lives on its row; delivery_attempts holds the attempts a
-- later one replaced. Existing rows keep their attempts where they are (last_attempt_id
-- null): readers take both places.
ALTER TABLE `deliveries` ADD `last_attempt_id` text;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `last_attempted_at` integer;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `last_duration_ms` integer;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `last_response_body` text;

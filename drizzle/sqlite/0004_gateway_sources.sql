CREATE TABLE `sources` (
	`name` text PRIMARY KEY NOT NULL,
	`verifier` text NOT NULL,
	`event_type` text,
	`description` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `endpoints` ADD `filter` text;--> statement-breakpoint
ALTER TABLE `events` ADD `body_text` text;--> statement-breakpoint
ALTER TABLE `events` ADD `body_in_payload` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `events` ADD `body` text GENERATED ALWAYS AS (case when body_in_payload then payload else body_text end) VIRTUAL;
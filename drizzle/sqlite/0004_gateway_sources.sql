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
ALTER TABLE `events` ADD `body` text;
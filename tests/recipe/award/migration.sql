-- The recipe's throwaway record type (tests/recipe/, scripts/recipe_dry_run.sh), step 1: its
-- table. An award a person received: who, what, when (a partial date); named by its natural
-- key (person, name, awarded_on). Never part of the product: copied into a scratch tree only.
CREATE TABLE awards (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	person_id uuid NOT NULL REFERENCES people (id),
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	awarded_on pdate,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE UNIQUE INDEX awards_natural_key ON awards (person_id, name, coalesce(awarded_on, ''));
CREATE INDEX awards_created_idx ON awards (created_at, id);

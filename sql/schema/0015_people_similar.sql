-- 0015_people_similar.sql — GET /people/duplicates from a table of similar pairs kept up to
-- date as names change, instead of a self-join of all people on every page. The self-join
-- cost 55 s a page on 20,000 people (the GIN trigram index at pg_trgm's default threshold of
-- 0.3 returns many candidates per person, all rechecked), so a walk of the list never ended.
--
-- people_similar holds each pair (a < b) scoring >= 0.45 (trigram similarity of the folded
-- names and aliases), at most the 50 best for a person as of its last change of name.
-- People added, renamed or given other aliases (insert, update, merge, import) are stale
-- until ow_people_similar_refresh(budget) has recomputed their pairs: 200 at a time until none
-- is left or the budget is spent; it returns how many are still stale. It sets
-- pg_trgm.similarity_threshold to 0.45 for the rest of its transaction: call it in a
-- transaction of its own. GET /people/duplicates runs it (budget 1 s) before reading a page.

CREATE TABLE people_similar (
	a uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
	b uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
	score float8 NOT NULL,
	PRIMARY KEY (a, b),
	CHECK (a < b)
);
CREATE INDEX people_similar_b_idx ON people_similar (b);
CREATE INDEX people_similar_order_idx ON people_similar (score DESC, a DESC, b DESC);
COMMENT ON TABLE people_similar IS
	'Likely duplicate people (derived from people.search_text; see ow_people_similar_refresh).';

-- The name (search_text) each person's pairs were computed for. A person is stale when it has
-- no row here or a different search_text: new, renamed or given other aliases. No trigger on
-- people: writes and imports pay nothing; the refresh finds stale people by one hash join.
CREATE TABLE people_similar_done (
	person_id uuid PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
	search_text text NOT NULL
);
COMMENT ON TABLE people_similar_done IS
	'The search_text each person''s people_similar pairs were computed for.';

CREATE VIEW people_similar_stale AS
SELECT p.id AS person_id, p.search_text
FROM people p LEFT JOIN people_similar_done d ON d.person_id = p.id
WHERE d.search_text IS DISTINCT FROM p.search_text;

-- Recomputes the pairs of stale people until none is left or `budget` has passed; returns the
-- number still stale. Only one session refreshes at a time (others return at once).
CREATE FUNCTION ow_people_similar_refresh(budget interval) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz := clock_timestamp();
	stale uuid[];
	ids uuid[];
	i int := 1;
BEGIN
	-- The % operator's threshold for this transaction (pg_trgm loaded first, so that the
	-- setting is its own and not a placeholder).
	PERFORM similarity('', '');
	PERFORM set_config('pg_trgm.similarity_threshold', '0.45', true);
	-- One pass over people finds the stale (at most 100,000 a call); then 200 at a time.
	stale := ARRAY(SELECT person_id FROM people_similar_stale LIMIT 100000);
	IF cardinality(stale) = 0 THEN
		RETURN 0;
	END IF;
	IF pg_try_advisory_xact_lock(hashtext('orgwatch.people_similar')) THEN
		WHILE i <= cardinality(stale) LOOP
			ids := stale[i:i + 199];
			i := i + 200;
			DELETE FROM people_similar WHERE a = ANY (ids) OR b = ANY (ids);
			INSERT INTO people_similar (a, b, score)
			SELECT DISTINCT ON (least(p.id, q.id), greatest(p.id, q.id))
				least(p.id, q.id), greatest(p.id, q.id), q.score
			FROM people p
			CROSS JOIN LATERAL (
				SELECT c.id, similarity(p.search_text, c.search_text)::float8 AS score
				FROM people c
				WHERE c.search_text % p.search_text AND c.id <> p.id
					AND similarity(p.search_text, c.search_text) >= 0.45
				ORDER BY 2 DESC, c.id
				LIMIT 50
			) q
			WHERE p.id = ANY (ids)
			ORDER BY least(p.id, q.id), greatest(p.id, q.id)
			ON CONFLICT (a, b) DO UPDATE SET score = EXCLUDED.score;
			INSERT INTO people_similar_done (person_id, search_text)
			SELECT id, search_text FROM people WHERE id = ANY (ids)
			ON CONFLICT (person_id) DO UPDATE SET search_text = EXCLUDED.search_text;
			EXIT WHEN clock_timestamp() - t0 >= budget;
		END LOOP;
		IF i > cardinality(stale) AND cardinality(stale) < 100000 THEN
			RETURN 0;
		END IF;
	END IF;
	RETURN (SELECT count(*) FROM people_similar_stale);
END $$;

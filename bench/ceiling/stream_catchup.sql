-- stream_catchup.sql — the ceiling of section stream's catch-up (issue 27): every entry after
-- entry :after in commit order — the rest of its transaction, then the transactions committed
-- after it, each in id order — with the facts a subscriber without a filter receives (id,
-- time, actor, entity, entity id, operation, the row before and after), as plain columns,
-- by one statement, COPY TO STDOUT into /dev/null (the rows cross the socket as the server's
-- would; psql writes them nowhere). No event names, no documents rendered as JSON, no
-- filter tags: what the server adds on top of this is its own cost.
-- usage: psql -v after=ID -f bench/ceiling/stream_catchup.sql   (prints "Time: ms" of the COPY and "rows n")
SELECT c.seq AS s0 FROM audit_log a JOIN audit_commits c ON c.txid = a.txid WHERE a.id = :after \gset
\timing on
\o /dev/null
COPY (SELECT a.id, a.at, a.actor, a.entity, a.entity_id, a.operation, a.before, a.after
	FROM audit_commits c JOIN audit_log a ON a.txid = c.txid
	WHERE c.seq > :s0 OR (c.seq = :s0 AND a.id > :after)
	ORDER BY c.seq, a.id) TO STDOUT;
\o
\timing off
SELECT count(*) AS rows FROM audit_commits c JOIN audit_log a ON a.txid = c.txid
	WHERE c.seq > :s0 OR (c.seq = :s0 AND a.id > :after) \gset
\echo rows :rows

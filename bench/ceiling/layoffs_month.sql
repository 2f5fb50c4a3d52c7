-- layoffs_month.sql — the ceiling of GET /stats/layoffs?group_by=month (section layoffs): per
-- month of announced_on, the layoffs (events), laid off (the sum of the counts), the events
-- without a count and the distinct organizations; every month from the first date to the last
-- listed, empty ones too; a date known only to the year counted in its own "YYYY-unknown"
-- group; and the same four figures over all layoffs ("total"). The smallest statement that
-- yields these facts as plain rows: one pass grouping by month (the months' bounds taken from
-- its groups), the empty months by a join to generate_series, and one pass for the total
-- (distinct organizations over all months cannot be summed from the months).
WITH c AS MATERIALIZED (
	SELECT k, count(*) AS layoffs, sum(count) AS laid_off, count(*) FILTER (WHERE count IS NULL) AS without_count,
		count(DISTINCT org_id) AS orgs, min(d) AS a, max(d) AS b
	FROM (SELECT CASE WHEN length(announced_on) = 4 THEN announced_on || '-unknown'
			ELSE to_char(lower(announced_range), 'YYYY-MM') END AS k,
			lower(announced_range) AS d, count, org_id FROM layoffs) l
	GROUP BY k
)
SELECT coalesce(c.k, m.k) AS key, coalesce(c.layoffs, 0) AS layoffs, coalesce(c.laid_off, 0) AS laid_off,
	coalesce(c.without_count, 0) AS without_count, coalesce(c.orgs, 0) AS orgs
FROM c FULL JOIN (SELECT to_char(p, 'YYYY-MM') AS k FROM (SELECT min(a) AS a, max(b) AS b FROM c) t,
	generate_series(date_trunc('month', t.a), t.b, interval '1 month') p) m ON m.k = c.k
UNION ALL
SELECT 'total', count(*), coalesce(sum(count), 0), count(*) FILTER (WHERE count IS NULL), count(DISTINCT org_id) FROM layoffs
ORDER BY 1;

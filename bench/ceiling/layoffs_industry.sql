-- layoffs_industry.sql — the ceiling of GET /stats/layoffs?group_by=industry (section layoffs):
-- per industry of the organization, compared case-insensitively and named by its spelling with
-- the most layoffs (NULL: organizations without one), the layoffs (events), laid off (the sum of
-- the counts), the events without a count and the distinct organizations, largest laid off
-- first; and the same four figures over all layoffs ("total"). The smallest statement that
-- yields these facts: layoffs summed per organization first (one hash aggregate, no DISTINCT:
-- an organization has one industry, so the organizations of a group are its rows), then joined
-- to the 20,000 organizations and summed per spelling, then per industry and in total.
WITH s AS MATERIALIZED (
	SELECT o.industry, count(*) AS orgs, sum(g.n) AS layoffs, sum(g.s) AS laid_off, sum(g.nc) AS without_count
	FROM (SELECT org_id, count(*) AS n, sum(count) AS s, count(*) FILTER (WHERE count IS NULL) AS nc
	      FROM layoffs GROUP BY org_id) g
	JOIN organizations o ON o.id = g.org_id
	GROUP BY o.industry
)
SELECT (array_agg(industry ORDER BY layoffs DESC, industry))[1] AS key, sum(layoffs) AS layoffs,
	coalesce(sum(laid_off), 0) AS laid_off, sum(without_count) AS without_count, sum(orgs) AS orgs
FROM s GROUP BY lower(industry)
UNION ALL
SELECT 'total', sum(layoffs), coalesce(sum(laid_off), 0), sum(without_count), sum(orgs) FROM s
ORDER BY 3 DESC;

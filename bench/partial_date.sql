-- partial_date.sql — pg_temp.pd, the partial date text of the dataset generators
-- (generate.sql, dataset.sql, departures.sql), included with \ir. pd(y, m, d, prec, month_from,
-- day_from) is "YYYY" when prec < month_from, "YYYY-MM" when prec < day_from, else
-- "YYYY-MM-DD": each generator draws prec at random (0..9) and picks its own mix.
CREATE FUNCTION pg_temp.pd(y int, m int, d int, prec int, month_from int, day_from int)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN prec < month_from THEN y::text
	            WHEN prec < day_from THEN y || '-' || lpad(m::text, 2, '0')
	            ELSE y || '-' || lpad(m::text, 2, '0') || '-' || lpad(d::text, 2, '0') END
$$;

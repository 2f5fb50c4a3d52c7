-- soak.lua — wrk script of `make soak` (scripts/soak.sh): a mix of ~60% reads and ~40%
-- writes against a server loaded with the sample dataset.
--
-- usage: wrk ... -s bench/soak.lua URL -- SLUGS_FILE OUT_DIR KEY
--   SLUGS_FILE  people slugs of the sample, one a line (read targets)
--   OUT_DIR     where each thread writes acks-<thread>.tsv (every acknowledged write) and
--               bad-<thread>.txt (every answer that is not 2xx, with its body)
--   KEY         an editor key, sent as `Authorization: Bearer KEY` on writes
--
-- Writes: POST /people (a slug unique per thread: soak-t<thread>-<n>), then, for people
-- created earlier by the same thread (their 201 seen), POST /positions (at an organization
-- of the sample, started in 2025), POST /departures (from that position's organization, in
-- 2026: it closes the position) and one PATCH of each person's bio.
-- wrk's response() does not say which request it answers: every request carries an
-- X-Request-Id (op.thread.seq), which the server echoes, and the request is looked up in
-- a per-thread table of requests in flight.
--
-- acks-<thread>.tsv lines (tab-separated), written only for 2xx answers:
--   person     REQID  SLUG       ID (from Location)
--   patch      REQID  SLUG       BIO
--   position   REQID  ID         PERSON_SLUG  ORG_SLUG  STARTED_ON
--   departure  REQID  ID         PERSON_SLUG  ORG_SLUG  DEPARTED_ON
-- done() prints the status classes per thread and per operation, as lines starting with
-- "soak:" that scripts/soak.sh reads.

local lines = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "lines.lua")
local threads = {}
local counter = 0

-- Main Lua state: a number per thread (slugs, request ids, random seed).
function setup(thread)
	counter = counter + 1
	thread:set("id", counter)
	threads[#threads + 1] = thread
end

-- --------------------------------------------------------------------- per-thread state
local sample = {}       -- sample people slugs
local key = ""
local acks, bad         -- files
local seq = 0           -- request sequence number of this thread
local made = 0          -- people slugs handed out
local inflight = {}     -- reqid -> request description
local created = {}      -- slugs whose POST /people got a 201 (read targets)
-- FIFOs of work for later writes (each person gets at most one of each):
local want_position = { head = 1, tail = 0 }  -- created slugs without a position yet
local want_patch = { head = 1, tail = 0 }     -- created slugs not patched yet
local want_departure = { head = 1, tail = 0 } -- {slug, org} with an acknowledged position
-- Status classes (2xx..5xx, "other") overall and per operation, for done().
counts = { total = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0, other = 0, unmatched = 0 }
ops = {} -- "OP CLASS" -> count (flat: see done())

local ORGS = { "meta", "meta", "meta", "google-deepmind", "anthropic", "cohere" }
-- The writes answered 201 with the new record's Location, and the path each POSTs to.
local CREATES = { ["post-person"] = "/people", ["post-position"] = "/positions", ["post-departure"] = "/departures" }

local function fifo_pop(q)
	if q.head > q.tail then
		return nil
	end
	local v = q[q.head]
	q[q.head] = nil
	q.head = q.head + 1
	return v
end

local function fifo_push(q, v)
	q.tail = q.tail + 1
	q[q.tail] = v
end

function init(args)
	sample = lines(args[1], "soak.lua: no slugs")
	local dir = args[2] or "."
	key = args[3] or ""
	acks = assert(io.open(string.format("%s/acks-%d.tsv", dir, id), "a"))
	bad = assert(io.open(string.format("%s/bad-%d.txt", dir, id), "a"))
	acks:setvbuf("line")
	bad:setvbuf("line")
	math.randomseed(os.time() * 1000 + id * 7919)
	-- LuaJIT: the first values after randomseed are poorly mixed
	for _ = 1, 10 do
		math.random()
	end
end

local function pick(list)
	return list[math.random(#list)]
end

local function new_request(op, method, path, body, extra)
	seq = seq + 1
	local rid = string.format("%s.%d.%d", op, id, seq)
	local headers = { ["X-Request-Id"] = rid }
	if body then
		headers["Authorization"] = "Bearer " .. key
		headers["Content-Type"] = "application/json"
	end
	extra = extra or {}
	extra.op = op
	extra.method = method
	extra.path = path
	inflight[rid] = extra
	return wrk.format(method, path, headers, body)
end

local function read_request()
	local r = math.random(100)
	local own = #created > 0 and math.random(2) == 1
	local slug = own and pick(created) or pick(sample)
	if r <= 22 then
		return new_request("get-person", "GET", "/people/" .. slug)
	elseif r <= 36 then
		return new_request("get-timeline", "GET", "/people/" .. slug .. "/timeline")
	elseif r <= 50 then
		return new_request("list-people", "GET", "/people?org=meta&limit=50")
	elseif r <= 64 then
		return new_request("list-departures", "GET", "/departures?from=2024-01&to=2024-12&limit=50")
	elseif r <= 72 then
		return new_request("list-departures-new", "GET", "/departures?org=meta&from=2026-01&limit=50")
	elseif r <= 84 then
		return new_request("chart", "GET", "/organizations/meta/chart?as_of=2024-06-01")
	elseif r <= 94 then
		return new_request("stats", "GET", "/stats/departures?group_by=month")
	else
		return new_request("get-managers", "GET", "/people/" .. pick(sample) .. "/managers")
	end
end

local function json_str(s)
	return '"' .. s:gsub('[%c"\\]', function(c)
		return string.format("\\u%04x", c:byte())
	end) .. '"'
end

local function post_person()
	made = made + 1
	local slug = string.format("soak-t%d-%d", id, made)
	local body = string.format('{"slug":%s,"full_name":%s,"tags":["soak"],"links":{"website":"https://example.org/%s"}}',
		json_str(slug), json_str(string.format("Soak Tester %d %d", id, made)), slug)
	return new_request("post-person", "POST", "/people", body, { slug = slug })
end

local function write_request()
	local r = math.random(100)
	if r <= 20 then
		local slug = fifo_pop(want_position)
		if slug then
			local org = pick(ORGS)
			local started = string.format("2025-%02d", math.random(12))
			local body = string.format('{"person":%s,"org":%s,"title":"Soak engineer","started_on":"%s"}',
				json_str(slug), json_str(org), started)
			return new_request("post-position", "POST", "/positions", body,
				{ slug = slug, org = org, date = started })
		end
	elseif r <= 40 then
		local p = fifo_pop(want_departure)
		if p then
			local departed = string.format("2026-%02d", math.random(10))
			local body = string.format('{"person":%s,"org":%s,"departed_on":"%s","kind":"resigned",' ..
				'"reason_category":"startup","reason":"soak test","destination_kind":"founded"}',
				json_str(p.slug), json_str(p.org), departed)
			return new_request("post-departure", "POST", "/departures", body,
				{ slug = p.slug, org = p.org, date = departed })
		end
	elseif r <= 60 then
		local slug = fifo_pop(want_patch)
		if slug then
			local bio = string.format("soak patch %d.%d", id, seq + 1)
			local body = string.format('{"bio":%s,"tags":["soak","patched"]}', json_str(bio))
			return new_request("patch-person", "PATCH", "/people/" .. slug, body,
				{ slug = slug, bio = bio })
		end
	end
	return post_person()
end

function request()
	if math.random(100) <= 60 then
		return read_request()
	end
	return write_request()
end

local function header(headers, name)
	return headers[name] or headers[name:lower()] or headers[name:upper()]
end

local function oneline(s)
	s = s or ""
	if #s > 300 then
		s = s:sub(1, 300) .. "..."
	end
	return (s:gsub("[\r\n\t]", " "))
end

function response(status, headers, body)
	counts.total = counts.total + 1
	local class = math.floor(status / 100)
	local ck = (class >= 2 and class <= 5) and ("c" .. class) or "other"
	counts[ck] = counts[ck] + 1
	local rid = header(headers, "X-Request-Id")
	local req = rid and inflight[rid]
	if not req then
		counts.unmatched = counts.unmatched + 1
		bad:write(string.format("unmatched %d %s %s\n", status, tostring(rid), oneline(body)))
		return
	end
	inflight[rid] = nil
	local ok = req.op .. " " .. ck
	ops[ok] = (ops[ok] or 0) + 1
	if class ~= 2 then
		bad:write(string.format("%d %s %s %s %s\n", status, rid, req.method, req.path, oneline(body)))
		return
	end
	local loc = header(headers, "Location") or ""
	local rec_id = loc:match("([0-9a-f%-]+)$") or ""
	local posted = CREATES[req.op]
	if posted and status ~= 201 then
		bad:write(string.format("unexpected %d %s POST %s %s\n", status, rid, posted, oneline(body)))
		return
	end
	if req.op == "post-person" then
		acks:write(string.format("person\t%s\t%s\t%s\n", rid, req.slug, rec_id))
		created[#created + 1] = req.slug
		fifo_push(want_position, req.slug)
		fifo_push(want_patch, req.slug)
	elseif req.op == "patch-person" then
		acks:write(string.format("patch\t%s\t%s\t%s\n", rid, req.slug, req.bio))
	elseif posted then -- a position or a departure ("post-" cut off): person, organization, date
		acks:write(string.format("%s\t%s\t%s\t%s\t%s\t%s\n", req.op:sub(6), rid, rec_id, req.slug, req.org,
			req.date))
		if req.op == "post-position" then
			fifo_push(want_departure, { slug = req.slug, org = req.org })
		end
	end
end

-- Main Lua state, after the run: status classes per thread and per operation.
function done(summary, latency, requests)
	local tot = { total = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0, other = 0, unmatched = 0 }
	local per_op = {}
	for i, t in ipairs(threads) do
		local c = t:get("counts")
		io.write(string.format("soak: thread %d: %d answers: 2xx=%d 3xx=%d 4xx=%d 5xx=%d other=%d unmatched=%d\n",
			i, c.total, c.c2, c.c3, c.c4, c.c5, c.other, c.unmatched))
		for k, v in pairs(c) do
			tot[k] = (tot[k] or 0) + v
		end
		-- (flat: wrk's thread:get crashes on nested tables)
		local o = t:get("ops")
		for k, n in pairs(o) do
			local op, ck = k:match("^(%S+) (%S+)$")
			local p = per_op[op] or { c2 = 0, c3 = 0, c4 = 0, c5 = 0, other = 0 }
			p[ck] = p[ck] + n
			per_op[op] = p
		end
	end
	local names = {}
	for op in pairs(per_op) do
		names[#names + 1] = op
	end
	table.sort(names)
	for _, op in ipairs(names) do
		local p = per_op[op]
		io.write(string.format("soak: op %-20s 2xx=%-8d 3xx=%d 4xx=%d 5xx=%d other=%d\n",
			op, p.c2, p.c3, p.c4, p.c5, p.other))
	end
	io.write(string.format("soak: total %d answers: 2xx=%d 3xx=%d 4xx=%d 5xx=%d other=%d unmatched=%d\n",
		tot.total, tot.c2, tot.c3, tot.c4, tot.c5, tot.other, tot.unmatched))
	io.write(string.format("soak: latency p50=%.2fms p90=%.2fms p99=%.2fms max=%.2fms\n",
		latency:percentile(50) / 1000, latency:percentile(90) / 1000,
		latency:percentile(99) / 1000, latency.max / 1000))
end

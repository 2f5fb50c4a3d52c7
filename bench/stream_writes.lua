-- stream_writes.lua — wrk script of section "stream" (bench/stream.sh): single-record writes,
-- POST /sources with a URL no other request uses (thread number and a counter).
-- usage: wrk ... -H "Authorization: Bearer KEY" -s bench/stream_writes.lua URL -- TAG
local counter = 0

-- Runs in the main Lua state: gives each thread its own number.
function setup(thread)
	counter = counter + 1
	thread:set("id", counter)
end

local tag = "w"
local n = 0

function init(args)
	tag = args[1] or tag
	wrk.headers["Content-Type"] = "application/json"
end

function request()
	n = n + 1
	-- nil headers: wrk.headers (with -H's Authorization) are sent.
	return wrk.format("POST", "/sources", nil,
		string.format('{"url":"https://bench.example/writes/%s/%d/%d"}', tag, id or 0, n))
end

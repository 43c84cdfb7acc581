-- wrk script of bench/web.py: PUT /api/v1/ideas/<id>/support with a bearer token, each (token, idea)
-- pair once. Usage: wrk ... -s bench/support.lua URL -- PAIRS_FILE THREADS
-- PAIRS_FILE has one "token idea_id" per line; thread i takes lines i, i + THREADS, ...
-- At the end it prints "wrapped: N", how often a thread ran out of pairs and started over (then
-- requests repeat supports already given, which change nothing).
local threads = {}
local counter = 0

function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local step = tonumber(args[2])
  local i = 0
  items = {}
  for line in io.lines(args[1]) do
    if i % step == index then
      local token, idea = line:match("^(%S+)%s+(%d+)$")
      items[#items + 1] = {token, idea}
    end
    i = i + 1
  end
  pos = 0
  wrapped = 0
end

function request()
  pos = pos + 1
  if pos > #items then
    pos = 1
    wrapped = wrapped + 1
  end
  local item = items[pos]
  return wrk.format("PUT", "/api/v1/ideas/" .. item[2] .. "/support",
                    {["Authorization"] = "Bearer " .. item[1], ["Content-Length"] = "0"})
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + (thread:get("wrapped") or 0)
  end
  io.write(string.format("wrapped: %d\n", total))
end

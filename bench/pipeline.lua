-- wrk script for the pipelined scenarios: 16 "GET /" requests in one write.
-- wrk counts every response, and times a batch from its write to its 16th
-- response (so latency here is per batch). done(), the JSON line the
-- harness reads, comes from keepalive.lua, next to this file.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "keepalive.lua")

local depth = 16

init = function(args)
  local r = {}
  for i = 1, depth do r[i] = wrk.format(nil, "/") end
  batch = table.concat(r)
end

request = function()
  return batch
end

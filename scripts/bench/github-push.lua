-- wrk script: POSTs one signed GitHub push body with a distinct X-GitHub-Delivery per
-- request, so hookyard stores every request instead of answering "duplicate".
-- Usage: wrk ... -s github-push.lua URL -- BODY_FILE SIGNATURE RUN
-- RUN tells runs apart: the warm-up and the measured run against one database must not
-- send the same ids, or the measured run would time cheap "duplicate" answers.
local threads = 0
local counter = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  local file = assert(io.open(args[1], "rb"))
  body = file:read("*all")
  file:close()
  signature = args[2]
  run = tonumber(args[3])
end

function request()
  counter = counter + 1
  local id = string.format("%08x-%04x-4000-8000-%012x", tid, run, counter)
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["User-Agent"] = "GitHub-Hookshot/bench",
    ["X-GitHub-Event"] = "push",
    ["X-GitHub-Delivery"] = id,
    ["X-Hub-Signature-256"] = signature,
  }, body)
end

-- wrk script: POSTs one signed GitHub push body with a distinct X-GitHub-Delivery per
-- request, so hookyard stores every request instead of answering "duplicate".
-- Usage: wrk ... -s github-push.lua URL -- BODY_FILE SIGNATURE
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
end

function request()
  counter = counter + 1
  local id = string.format("%08x-0000-4000-8000-%012x", tid, counter)
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["User-Agent"] = "GitHub-Hookshot/bench",
    ["X-GitHub-Event"] = "push",
    ["X-GitHub-Delivery"] = id,
    ["X-Hub-Signature-256"] = signature,
  }, body)
end

-- wrk script: POSTs one JSON body read from a file.
-- Usage: wrk ... -s post-json.lua URL -- BODY_FILE
function init(args)
  local file = assert(io.open(args[1], "rb"))
  wrk.body = file:read("*all")
  file:close()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

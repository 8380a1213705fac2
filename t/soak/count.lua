-- Licensed under the Apache License, Version 2.0 (see LICENSE).
--
-- wrk script of make soak (t/soak/run.sh): every response counted by
-- second and status, written to the file named by the first argument
-- as "second status count" lines when wrk ends.  A second argument, an
-- absolute URI, makes every request a forward-proxy request for it.
local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    out = args[1]
    target = args[2]
    counts = {}
    if target then
        req = wrk.format("GET", target)
    end
end

function request()
    return req or wrk.request()
end

function response(status, headers, body)
    local key = os.time() .. " " .. status
    counts[key] = (counts[key] or 0) + 1
end

function done(summary, latency, requests)
    for _, t in ipairs(threads) do
        local f = io.open(t:get("out"), "a")
        for k, n in pairs(t:get("counts")) do
            f:write(k, " ", n, "\n")
        end
        f:close()
    end
end

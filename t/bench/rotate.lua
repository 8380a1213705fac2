-- Licensed under the Apache License, Version 2.0 (see LICENSE).
--
-- wrk script: one precomputed Authorization value per request, in file
-- order (Digest: nc = 1, 2, 3, ...; the replay check refuses reuse).
--   wrk ... -s rotate.lua URL -- FILE [FIRST]
-- FIRST (default 1) is the first line used.  Past the last line the
-- script starts over; those requests are replays and get 401, which the
-- bench reports as a failed row (make the file longer).
local values = {}
local count, i = 0, 0

function init(args)
    local path = args[1]
    for line in io.lines(path) do
        count = count + 1
        values[count] = line
    end
    i = (tonumber(args[2]) or 1) - 1
end

function request()
    i = i + 1
    if i > count then
        i = 1
    end
    wrk.headers["Authorization"] = values[i]
    return wrk.format()
end

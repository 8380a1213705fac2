-- Licensed under the Apache License, Version 2.0 (see LICENSE).
--
-- wrk script: one precomputed Authorization value per request, in file
-- order (Digest: nc = 1, 2, 3, ...; the replay check refuses reuse), or
-- an Authorization value, a tab and a DPoP proof (each used once).
--   wrk ... -s rotate.lua URL -- FILE [FIRST [N]]
-- Lines FIRST (default 1) to FIRST+N-1 (default: to the end) are used.
-- Every request is formatted once, in init, before wrk starts its clock:
-- the measured loop only hands wrk a ready string, so the harness costs
-- the client (which shares the CPUs with httpd) next to nothing.  Past
-- the last line the script starts over; those requests are replays and
-- get 401, which the bench reports as a failed row (make the file longer).
local reqs = {}
local count, i = 0, 0

function init(args)
    local first = tonumber(args[2]) or 1
    local n = tonumber(args[3]) or math.huge
    local line_no = 0
    for line in io.lines(args[1]) do
        line_no = line_no + 1
        if line_no >= first then
            if count >= n then
                break
            end
            count = count + 1
            -- "<Authorization>\t<DPoP>": a DPoP request (dpop.mjs)
            local auth, proof = line:match("^([^\t]*)\t(.*)$")
            if auth then
                reqs[count] = wrk.format(nil, nil,
                    { Authorization = auth, DPoP = proof })
            else
                reqs[count] = wrk.format(nil, nil, { Authorization = line })
            end
        end
    end
end

function request()
    i = i + 1
    if i > count then
        i = 1
    end
    return reqs[i]
end

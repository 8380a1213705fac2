-- Licensed under the Apache License, Version 2.0 (see LICENSE).
--
-- wrk script of make soak: a Digest SHA-256 client (RFC 7616) that
-- answers every request with a fresh nc, computed here (SHA-256 from
-- libcrypto through LuaJIT's FFI).  Arguments: the counts file (as
-- count.lua), user, password, realm, uri.  A 401 with stale=true (the
-- shared cache was flushed or restarted: docs/operations.md) brings a
-- new nonce, counted as status 1401.
local ffi = require("ffi")
ffi.cdef[[
unsigned char *SHA256(const unsigned char *d, size_t n, unsigned char *md);
]]
local C = ffi.load("libcrypto.so.3")
local buf = ffi.new("unsigned char[32]")
local threads = {}

local function H(s)
    C.SHA256(s, #s, buf)
    local t = {}
    for i = 0, 31 do t[i + 1] = string.format("%02x", buf[i]) end
    return table.concat(t)
end

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    out, user, pass, realm, uri = args[1], args[2], args[3], args[4], args[5]
    counts = {}
    nonce, opaque = nil, nil
    nc = 0
    ha1 = H(user .. ":" .. realm .. ":" .. pass)
    ha2 = H("GET:" .. uri)
end

local function answer()
    nc = nc + 1
    local ncs = string.format("%08x", nc)
    local cnonce = string.format("%08x", math.random(0, 2147483647))
    local resp = H(ha1 .. ":" .. nonce .. ":" .. ncs .. ":" .. cnonce
                   .. ":auth:" .. ha2)
    return string.format('Digest username="%s", realm="%s", nonce="%s", '
        .. 'uri="%s", algorithm=SHA-256, response="%s", opaque="%s", '
        .. 'qop=auth, nc=%s, cnonce="%s"', user, realm, nonce, uri, resp,
        opaque, ncs, cnonce)
end

function request()
    if not nonce then
        return wrk.format("GET", uri)
    end
    return wrk.format("GET", uri, { Authorization = answer() })
end

function response(status, headers, body)
    local st = status
    local chal = headers["WWW-Authenticate"]
    if status == 401 and chal then
        local n = chal:match('nonce="([^"]+)"')
        if n then
            if nonce and chal:match("stale=true") then st = 1401 end
            if not nonce then st = 0 end     -- the first challenge
            nonce, opaque = n, chal:match('opaque="([^"]+)"')
            nc = 0
        end
    end
    if st ~= 0 then
        local key = os.time() .. " " .. st
        counts[key] = (counts[key] or 0) + 1
    end
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

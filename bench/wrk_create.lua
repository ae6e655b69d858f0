-- wrk script: each request is a partner SOAP create of one ServicePresenceStatus with a name of
-- its own (DeveloperName is unique, so a repeated body would measure the duplicate-value path),
-- sent with the session header. Every response must be HTTP 200 carrying <success>true: the
-- done() summary prints how many were not, so a rate of failures is never reported as a rate
-- of creates. Environment: OMNI_SESSION (session id), OMNI_RUN (a prefix unique to the run).
local session = os.getenv("OMNI_SESSION") or ""
local run = os.getenv("OMNI_RUN") or "run"
local path = "/services/Soap/u/44.0"
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

local counter = 0
bad = 0  -- global: done() reads it from each thread with thread:get
local prefix

function init(args)
  prefix = "w" .. run .. "_" .. tostring(tid) .. "_"
  wrk.headers["Content-Type"] = "text/xml; charset=utf-8"
  wrk.headers["SOAPAction"] = '""'
end

function request()
  counter = counter + 1
  local name = prefix .. counter
  local body = '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' ..
      'xmlns:p="urn:partner.soap.sforce.com" xmlns:s="urn:sobject.partner.soap.sforce.com">' ..
      '<soapenv:Header><p:SessionHeader><p:sessionId>' .. session ..
      '</p:sessionId></p:SessionHeader></soapenv:Header><soapenv:Body><p:create><p:sObjects>' ..
      '<s:type>ServicePresenceStatus</s:type><s:DeveloperName>' .. name ..
      '</s:DeveloperName><s:MasterLabel>' .. name .. '</s:MasterLabel></p:sObjects></p:create>' ..
      '</soapenv:Body></soapenv:Envelope>'
  return wrk.format("POST", path, nil, body)
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, "<success>true</success>", 1, true) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, t in ipairs(threads) do failed = failed + (tonumber(t:get("bad")) or 0) end
  io.write(string.format("omni-wrk: requests=%d failed=%d seconds=%.3f rate=%.1f p50_ms=%.2f p99_ms=%.2f\n",
      summary.requests, failed, summary.duration / 1e6,
      (summary.requests - failed) / (summary.duration / 1e6),
      latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end

-- Ask the Fledge operator to abort the rollout: sets fledge.dev/action=abort:NONCE; the operator reads
-- it, records it in status.action and removes the annotation. The nonce (UTC time and the
-- resourceVersion acted on) makes each request new. An action the operator has not read yet is
-- never replaced: the action fails and names it (Argo CD's safe os library gives os.date).
local os = require("os")
local annotations = obj.metadata.annotations
if annotations == nil then
  annotations = {}
  obj.metadata.annotations = annotations
end
local pending = annotations["fledge.dev/action"]
if pending ~= nil then
  local read = obj.status ~= nil and obj.status.action ~= nil and obj.status.action.value == pending
    and obj.status.action.annotationRemoved ~= true
  if not read then
    error("fledge.dev/action=" .. pending .. " is pending, not yet read by the operator; abort would replace it."
      .. " Run abort again once the annotation is gone", 0)
  end
end
local rv = obj.metadata.resourceVersion
if rv == nil then
  rv = "0"
end
annotations["fledge.dev/action"] = "abort:" .. os.date("!%Y%m%dT%H%M%S") .. "-" .. rv
return obj

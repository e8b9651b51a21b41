-- Argo CD health check for fledge.dev/ModelRelease.
-- Progressing until the operator has observed the current generation and while a rollout
-- runs; Suspended while paused; Healthy once promoted; Degraded on RolledBack, Failed or an
-- invalid spec, with the operator's status message.
local hs = {}

local function condition(status, conditionType)
  if status.conditions == nil then
    return nil
  end
  for _, c in ipairs(status.conditions) do
    if c.type == conditionType then
      return c
    end
  end
  return nil
end

local function firstText(...)
  local texts = {...}
  for i = 1, select("#", ...) do
    if texts[i] ~= nil and texts[i] ~= "" then
      return texts[i]
    end
  end
  return nil
end

local function position(status)
  local parts = {}
  if status.stage ~= nil and status.stage ~= "" then
    table.insert(parts, "stage " .. status.stage)
  end
  if status.canaryWeight ~= nil then
    table.insert(parts, "canary " .. tostring(status.canaryWeight) .. "%")
  end
  return table.concat(parts, ", ")
end

local function withDetail(summary, detail)
  if detail == nil or detail == "" then
    return summary
  end
  return summary .. ": " .. detail
end

local status = obj.status
if status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the Fledge operator to observe the release"
  return hs
end

local generation = obj.metadata.generation
if generation ~= nil and (status.observedGeneration == nil or status.observedGeneration < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the Fledge operator to observe generation " .. tostring(generation)
  return hs
end

local phase = status.phase
local invalid = condition(status, "InvalidSpec")
if phase == "Invalid" or (invalid ~= nil and invalid.status == "True") then
  hs.status = "Degraded"
  hs.message = withDetail("Invalid spec", firstText(status.message, invalid and invalid.message))
  return hs
end

if phase == "RolledBack" or phase == "Failed" then
  local degraded = condition(status, "Degraded")
  hs.status = "Degraded"
  local summary = "Rolled back"
  if phase == "Failed" then
    summary = "Failed"
  end
  hs.message = withDetail(summary, firstText(status.message, degraded and degraded.message))
  return hs
end

local paused = obj.spec ~= nil and obj.spec.paused == true
if phase == "Paused" or (paused and phase ~= "Promoted") then
  hs.status = "Suspended"
  hs.message = withDetail("Paused", firstText(position(status), status.message))
  return hs
end

if phase == "Promoted" then
  hs.status = "Healthy"
  hs.message = firstText(status.message, status.stableVersion and ("Version " .. status.stableVersion .. " is promoted"))
  return hs
end

if phase == "Progressing" or phase == "Pending" or phase == nil then
  hs.status = "Progressing"
  hs.message = withDetail(firstText(phase, "Pending"), firstText(position(status), status.message))
  return hs
end

hs.status = "Unknown"
hs.message = "Unknown phase " .. tostring(phase)
return hs

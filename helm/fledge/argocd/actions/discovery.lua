-- Argo CD resource actions for fledge.dev/ModelRelease.
-- promote, abort and retry set the fledge.dev/action annotation, which the operator reads,
-- records in status.action and removes; they are offered only while no action the operator has
-- not read yet is pending. pause and resume set spec.paused.
local actions = {}
local phase = nil
if obj.status ~= nil then
  phase = obj.status.phase
end
local paused = obj.spec ~= nil and obj.spec.paused == true
local annotation = nil
if obj.metadata.annotations ~= nil then
  annotation = obj.metadata.annotations["fledge.dev/action"]
end
local read = annotation ~= nil and obj.status ~= nil and obj.status.action ~= nil
  and obj.status.action.value == annotation and obj.status.action.annotationRemoved ~= true
local requested = annotation ~= nil and not read
local rollingOut = phase == "Pending" or phase == "Progressing" or phase == "Paused"
local stopped = phase == "RolledBack" or phase == "Failed"

actions["promote"] = {["disabled"] = requested or not rollingOut, ["iconClass"] = "fa fa-fw fa-forward"}
actions["abort"] = {["disabled"] = requested or not rollingOut, ["iconClass"] = "fa fa-fw fa-undo"}
actions["retry"] = {["disabled"] = requested or not stopped, ["iconClass"] = "fa fa-fw fa-redo"}
actions["pause"] = {["disabled"] = paused, ["iconClass"] = "fa fa-fw fa-pause-circle"}
actions["resume"] = {["disabled"] = not paused, ["iconClass"] = "fa fa-fw fa-play-circle"}
return actions

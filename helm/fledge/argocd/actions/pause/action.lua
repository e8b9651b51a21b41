-- Pause the rollout where it is: traffic stays, no stage moves forward; gates still run and a failing gate still rolls back.
if obj.spec == nil then
  obj.spec = {}
end
obj.spec.paused = true
return obj

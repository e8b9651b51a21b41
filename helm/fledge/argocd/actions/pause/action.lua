-- Pause the rollout where it is: traffic stays as it is, no gate moves it on or back.
if obj.spec == nil then
  obj.spec = {}
end
obj.spec.paused = true
return obj

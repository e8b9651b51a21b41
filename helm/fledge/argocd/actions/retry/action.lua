-- Ask the Fledge operator to retry the rollout; it consumes and removes the annotation.
if obj.metadata.annotations == nil then
  obj.metadata.annotations = {}
end
obj.metadata.annotations["fledge.dev/action"] = "retry"
return obj

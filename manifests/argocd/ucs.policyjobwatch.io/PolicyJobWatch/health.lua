-- Argo CD health check for ucs.policyjobwatch.io/PolicyJobWatch.
-- Reads the Ready, Reconciling and Stalled conditions the operator writes. Uses only Lua's base
-- and table libraries: Argo CD runs a script from argocd-cm without string or math (and with a
-- reduced os) unless resource.customizations.useOpenLibs.<group_kind> is "true".

local function describe(condition)
  local text = condition.reason or ""
  if condition.message ~= nil and condition.message ~= "" then
    if text ~= "" then
      text = text .. ": "
    end
    text = text .. condition.message
  end
  return text
end

local hs = { status = "Progressing", message = "Waiting for the operator" }
local status = obj.status
if status == nil or status.conditions == nil then
  return hs
end

-- A status written for an older spec says nothing about the current one.
local generation = obj.metadata.generation
local observed = status.observedGeneration
if generation ~= nil and (observed == nil or observed < generation) then
  hs.message = "Waiting for the operator to observe generation " .. generation
  return hs
end

local conditions = {}
for _, condition in ipairs(status.conditions) do
  if condition.type ~= nil then
    conditions[condition.type] = condition
  end
end
local ready = conditions["Ready"]
local reconciling = conditions["Reconciling"]
local stalled = conditions["Stalled"]

if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = describe(stalled)
elseif ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = describe(ready)
elseif ready ~= nil and ready.status == "False" and ready.reason == "Suspended" then
  hs.status = "Suspended"
  hs.message = describe(ready)
elseif reconciling ~= nil and reconciling.status == "True" then
  hs.message = describe(reconciling)
elseif ready ~= nil then
  hs.message = describe(ready)
end
return hs

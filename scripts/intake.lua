-- wrk script: file a request through the JSON API (POST /api/v1/requests), a different
-- resident and address on each call, as residents do during a morning rush.
local counter = 0
local thread_id = 0

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

local buildings = { "3栋", "12号楼", "5栋", "2号楼", "8栋" }
local compounds = { "鸿翔名苑", "国庆家园", "翠湖苑", "士课新村", "和兴小区" }

function request()
  counter = counter + 1
  local c = compounds[(counter % #compounds) + 1]
  local b = buildings[(counter % #buildings) + 1]
  local body = string.format(
    '{"resident_name":"王桂兰%d","phone":"139%08d","address":"%s%s%d单元%d0%d",' ..
    '"household_size":%d,"category":"medicine","items":[{"name":"硝苯地平控释片","quantity":2,"unit":"盒"},' ..
    '{"name":"大米","quantity":1,"unit":"袋"}],"urgency":"urgent","notes":"药快吃完了"}',
    counter, (counter * 7919 + (tid or 0)) % 100000000, c, b, counter % 4 + 1, counter % 6 + 1, counter % 2 + 1,
    counter % 5 + 1)
  return wrk.format("POST", "/api/v1/requests", { ["Content-Type"] = "application/json" }, body)
end

-- wrk script: 1000 distinct phones, cycling, so visitor counting does real
-- work (new visitors written, returning ones updated), as on a busy day.
local n = 0
request = function()
  n = n + 1
  local ua = "Mozilla/5.0 (Linux; Android 13; Phone " .. (n % 1000) .. ") Chrome/124.0 Mobile Safari/537.36"
  return wrk.format("GET", nil, { ["User-Agent"] = ua })
end

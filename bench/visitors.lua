-- wrk script: 1000 distinct phones, cycling, so visitor counting does real
-- work (new visitors written, returning ones updated), as on a busy day.
-- With BENCH_GZIP=1 in the environment they take gzip, as phones do.
local n = 0
local gzip = os.getenv("BENCH_GZIP") == "1"
request = function()
  n = n + 1
  local ua = "Mozilla/5.0 (Linux; Android 13; Phone " .. (n % 1000) .. ") Chrome/124.0 Mobile Safari/537.36"
  local headers = { ["User-Agent"] = ua }
  if gzip then headers["Accept-Encoding"] = "gzip" end
  return wrk.format("GET", nil, headers)
end

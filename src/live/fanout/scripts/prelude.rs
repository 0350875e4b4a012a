//! The Lua every script starts with: the arguments by name, announcing a
//! bulletin, recomputing a user's aggregate, and keeping profiles.
//!
//! A user's profile is kept in Redis while they are offline too: it is
//! published again, just before their attendance, when they come back
//! online, since every node forgets a profile when its user goes offline.

/// Helpers every script starts with.
pub(super) const PRELUDE: &str = r#"
local channel, at, prefix, node = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local function announce(message)
  message.seq = redis.call('INCR', KEYS[3])
  redis.call('PUBLISH', channel, cjson.encode(message))
end
local function attend_key(user) return prefix .. ':attend:' .. user end
-- Recomputes the user's aggregate; announces it if it changed. True if
-- the user went offline in the cluster.
local function refresh(user)
  local before = redis.call('HGET', KEYS[2], user)
  local codes = redis.call('HVALS', attend_key(user))
  if #codes == 0 then
    if before then
      -- The profile stays: it comes back with the user.
      redis.call('HDEL', KEYS[2], user)
      announce({kind = 'presence', user = user, online = false, at = at})
      return true
    end
    return false
  end
  local code = 0
  for _, each in ipairs(codes) do code = bit.bor(code, tonumber(each)) end
  if tostring(code) ~= before then
    if not before then
      -- Every node forgot the profile when the user went offline (or never
      -- knew it): it goes first, so that they are shown with it.
      local profile = redis.call('HGET', KEYS[6], user)
      if profile then redis.call('PUBLISH', channel, profile) end
    end
    redis.call('HSET', KEYS[2], user, code)
    announce({kind = 'presence', user = user, online = true, code = code})
  end
  return false
end
-- How `user` attends on node `on`: a code, or nil for not at all.
local function attend(on, user, code)
  if code then
    redis.call('SADD', KEYS[1], user)
    redis.call('HSET', attend_key(user), on, code)
  else
    redis.call('SREM', KEYS[1], user)
    redis.call('HDEL', attend_key(user), on)
  end
  return refresh(user)
end
-- Keeps `profile` (a bulletin) as `user`'s, or forgets theirs when `chose`
-- is '0' (the default takes no room). True if that changed anything.
local function keep_profile(user, profile, chose)
  local kept = redis.call('HGET', KEYS[6], user)
  if chose == '1' then
    redis.call('HSET', KEYS[6], user, profile)
    return kept ~= profile
  end
  redis.call('HDEL', KEYS[6], user)
  return kept ~= false
end
"#;

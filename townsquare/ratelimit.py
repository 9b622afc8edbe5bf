"""Rate limits for sign-up, log-in and posting: fixed windows, in-process or shared in Redis.

One worker on SQLite counts in memory; several workers point TOWNSQUARE_REDIS_URL at
Redis so they share one count. A limit reads "N/period" (period: second, minute, hour, day).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from townsquare.domain.errors import RateLimited

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_RATE = re.compile(r"\s*(\d+)\s*/\s*(second|minute|hour|day)\s*")


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        match = _RATE.fullmatch(text)
        if not match:
            raise ValueError(f"a rate reads like '10/minute', not {text!r}")
        return cls(int(match[1]), PERIODS[match[2]])


class Limiter:
    """Counts hits per (action, key) in the current window; too many raises RateLimited."""

    def __init__(self, redis_url: str = "") -> None:
        self._memory: dict[str, tuple[int, float]] = {}
        self._redis = None
        if redis_url:
            import redis.asyncio as redis

            self._redis = redis.from_url(redis_url)

    async def hit(self, action: str, key: str, rate: Rate, message: str) -> None:
        now = time.time()
        window = int(now // rate.seconds)
        name = f"townsquare:rl:{action}:{key}:{window}"
        retry = int((window + 1) * rate.seconds - now) + 1
        if self._redis is not None:
            count = await self._redis.incr(name)
            if count == 1:
                await self._redis.expire(name, rate.seconds + 1)
        else:
            count = self._memory.get(name, (0, 0.0))[0] + 1
            self._memory[name] = (count, now + rate.seconds)
            if len(self._memory) > 10_000:  # forget windows that have passed
                self._memory = {k: v for k, v in self._memory.items() if v[1] > now}
        if count > rate.count:
            raise RateLimited(message, retry_after=retry)

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()

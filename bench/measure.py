"""What the benchmarks that time requests share: percentiles, one printed line per series, a signed-in
session on the gateway."""
import statistics

import requests

from deploy.demo.load import DEMO_PASSWORD


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def summary(name: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (f"{name:<38} p50 {percentile(ms, 0.5):8.1f} ms   p99 {percentile(ms, 0.99):8.1f} ms   "
            f"mean {statistics.fmean(ms):8.1f} ms   (n={len(ms)})")


def sign_in(url: str, username: str) -> requests.Session:
    """A session carrying a demo account's access token (the demo's shared password)."""
    session = requests.Session()
    answer = session.post(f"{url}/api/v1/auth/token", json={"username": username, "password": DEMO_PASSWORD},
                          timeout=30)
    answer.raise_for_status()
    session.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
    return session

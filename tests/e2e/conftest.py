"""The whole platform as real processes on a real RabbitMQ, driven over HTTP only."""
import pytest
import requests

from deploy.demo.load import DEMO_PASSWORD
from deploy.local import LocalPlatform, free_port
from shared.clock import FileClock


class Api:
    """A person signed in to the gateway."""

    def __init__(self, base_url: str, username: str | None = None, lang: str = "zh"):
        self.base_url = base_url
        self.http = requests.Session()
        self.http.headers["Accept-Language"] = lang
        self.username = username
        if username:
            answer = self.http.post(f"{base_url}/api/v1/auth/token",
                                    json={"username": username, "password": DEMO_PASSWORD}, timeout=30)
            assert answer.status_code == 200, answer.text
            self.http.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"

    def get(self, path, **kwargs):
        return self.http.get(self.base_url + path, timeout=30, **kwargs)

    def post(self, path, **kwargs):
        return self.http.post(self.base_url + path, timeout=30, **kwargs)

    def put(self, path, **kwargs):
        return self.http.put(self.base_url + path, timeout=30, **kwargs)


@pytest.fixture(scope="module")
def platform_env() -> dict:
    """Extra environment for the platform's processes; a test module overrides it (e.g. short lock times)."""
    return {}


@pytest.fixture(scope="module")
def platform(vhost, tmp_path_factory, platform_env):
    folder = tmp_path_factory.mktemp("platform")
    clock = FileClock(str(folder / "now"))  # system time until a test moves it
    running = LocalPlatform(
        folder,
        # Access tokens live an hour here: a module's signed-in users outlast the 15 minutes of production.
        env={"AMQP_URI": vhost.uri, "RPC_TIMEOUT_S": "5", "GATEWAY_WORKERS": "1", "CLOCK": f"file:{clock.path}",
             "ACCESS_TOKEN_TTL_S": "3600", **platform_env},
        gateway_bind=f"127.0.0.1:{free_port()}",
    )
    running.clock = clock
    try:
        running.start_all()
        running.load_demo()
        yield running
    finally:
        running.stop_all()


# Demo accounts are named by staff code, except the two people the article names.
USERNAME_OF_STAFF = {"ytl-wy-01": "wuli", "ytl-gw-04": "zhangyan"}


@pytest.fixture(scope="module")
def as_handler(as_user):
    """as_handler(task) -> Api signed in as whoever the task is assigned to."""
    return lambda task: as_user(USERNAME_OF_STAFF.get(task["handler"]["staff_code"], task["handler"]["staff_code"]))


@pytest.fixture(scope="module")
def as_user(platform):
    """as_user('zhangyan') -> Api signed in as that demo account (cached per module)."""
    signed_in = {}

    def sign_in(username: str, lang: str = "zh") -> Api:
        if (username, lang) not in signed_in:
            signed_in[username, lang] = Api(platform.url, username, lang)
        return signed_in[username, lang]

    return sign_in

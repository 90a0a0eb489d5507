"""Sign-in throttling slows guessing without locking the real user out; unknown names answer like known ones."""

import pytest
import werkzeug.security  # what accounts.verify checks a password with

from annotator import create_app
from annotator.web import security

from .conftest import PASSWORD, SECRET_KEY, csrf_of


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        now = 2_000_000.0

        def __call__(self) -> float:
            return self.now

    found = Clock()
    monkeypatch.setattr(security, "clock", found)
    return found


def _try(client, name, password, address="192.0.2.1", headers=None):
    """One sign-in from `address`, as a browser would send it (form first, for the CSRF token)."""
    environ = {"REMOTE_ADDR": address}
    client.get("/login", environ_base=environ)
    data = {"name": name, "password": password, "csrf_token": csrf_of(client)}
    return client.post("/login", data=data, environ_base=environ, headers=headers or {})


def test_throttle_guessing_slows_the_guesser_not_the_real_user(app, clock):
    alice = app.test_client()
    assert _try(alice, "alice", PASSWORD, address="192.0.2.1").status_code == 302  # her browser, known since
    alice.post("/logout", data={"csrf_token": csrf_of(alice)})
    attacker = app.test_client()
    for _ in range(5):
        assert _try(attacker, "alice", "wrong guess", address="192.0.2.1").status_code == 401
    slowed = _try(attacker, "alice", PASSWORD, address="192.0.2.1")  # even the right password waits
    assert slowed.status_code == 429 and slowed.headers["Retry-After"] == "1"
    assert "try again in 1 second" in slowed.get_data(as_text=True)
    # the real alice, same address, same name: her browser's device cookie lets her straight in
    assert _try(alice, "alice", PASSWORD, address="192.0.2.1").status_code == 302


def test_throttle_delay_grows_with_each_failure_and_stops_growing(app, clock):
    attacker = app.test_client()
    for _ in range(5):
        _try(attacker, "alice", "wrong guess")
    waits = []
    for _ in range(12):
        response = _try(attacker, "alice", "wrong guess")
        assert response.status_code == 429
        wait = int(response.headers["Retry-After"])
        waits.append(wait)
        clock.now += wait - 0.5
        assert _try(attacker, "alice", "wrong guess").status_code == 429  # not yet
        clock.now += 0.6
        assert _try(attacker, "alice", "wrong guess").status_code == 401  # the next guess, checked
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60, 60, 60]


def test_throttle_per_address_catches_a_spray_over_many_names(app, clock):
    attacker = app.test_client()
    for name in ("alice", "bob", "rita", "admin", "nobody"):
        assert _try(attacker, name, "wrong guess", address="198.51.100.7").status_code == 401
    assert _try(attacker, "carol", "wrong guess", address="198.51.100.7").status_code == 429
    # others elsewhere are not slowed by it
    assert _try(app.test_client(), "bob", PASSWORD, address="203.0.113.9").status_code == 302


def test_throttle_per_name_catches_guesses_from_many_addresses(app, clock):
    for n in range(5):
        assert _try(app.test_client(), "bob", "wrong guess", address=f"198.51.100.{n}").status_code == 401
    assert _try(app.test_client(), "bob", PASSWORD, address="198.51.100.99").status_code == 429
    clock.now += 1.1  # a bounded wait, never a lock-out
    assert _try(app.test_client(), "bob", PASSWORD, address="198.51.100.99").status_code == 302


def test_throttle_forwarded_for_counts_only_behind_a_trusted_proxy(seeded_path, tmp_path, clock):
    def client_for(proxies):
        path = tmp_path / f"p{proxies}.toml"
        path.write_text(f'[project]\nsecret_key = "{SECRET_KEY}"\ntrusted_proxies = {proxies}\n')
        return create_app({"DATABASE": seeded_path, "PROJECT_FILE": path}).test_client()

    direct = client_for(0)
    for n in range(5):  # a forged header changes nothing: all five come from the proxy's address
        _try(direct, f"user{n}", "wrong guess", address="127.0.0.1", headers={"X-Forwarded-For": f"203.0.113.{n}"})
    forged = {"X-Forwarded-For": "203.0.113.77"}
    assert _try(direct, "alice", PASSWORD, address="127.0.0.1", headers=forged).status_code == 429

    proxied = client_for(1)  # the same failures are in the database; behind a proxy they are the clients'
    real = {"X-Forwarded-For": "203.0.113.77"}
    assert _try(proxied, "alice", PASSWORD, address="127.0.0.1", headers=real).status_code == 302


@pytest.mark.parametrize("name", ["alice", "nobody-by-this-name"])
def test_throttle_unknown_names_cost_a_hash_like_known_ones(client, monkeypatch, name):
    checked = []
    real = werkzeug.security.check_password_hash
    monkeypatch.setattr(werkzeug.security, "check_password_hash", lambda h, p: checked.append(h) or real(h, p))
    response = _try(client, name, "a wrong password")
    assert response.status_code == 401 and "Unknown name or wrong password" in response.get_data(as_text=True)
    assert len(checked) == 1 and checked[0].startswith(("pbkdf2:", "scrypt:"))

"""Secrets come from files (NAME_FILE, as Kubernetes and compose mount them), and the
gateway refuses a signing key too short to be safe, saying how to make one."""
import os

import pytest

from shared.config import MIN_SECRET_KEY_CHARS, check_secret_key, component_config, read_secret_files

LONG_KEY = "9f2c" * 16


def test_a_variable_is_read_from_the_file_its_FILE_twin_names(tmp_path):
    secret = tmp_path / "amqp-uri"
    secret.write_text("amqp://grid:s3cret@rabbitmq:5672/grid\n")
    environ = {"AMQP_URI_FILE": str(secret)}
    read_secret_files({"AMQP_URI", "DISPATCH_DATABASE_URL"}, environ)
    assert environ["AMQP_URI"] == "amqp://grid:s3cret@rabbitmq:5672/grid"  # the final newline is not part of it
    assert "DISPATCH_DATABASE_URL" not in environ


def test_both_a_variable_and_its_file_is_an_error_not_a_guess(tmp_path):
    secret = tmp_path / "key"
    secret.write_text(LONG_KEY)
    with pytest.raises(RuntimeError, match="both GATEWAY_SECRET_KEY and GATEWAY_SECRET_KEY_FILE are set"):
        read_secret_files({"GATEWAY_SECRET_KEY"}, {"GATEWAY_SECRET_KEY": "x", "GATEWAY_SECRET_KEY_FILE": str(secret)})


def test_an_unreadable_file_names_the_variable(tmp_path):
    with pytest.raises(RuntimeError, match="GATEWAY_SECRET_KEY_FILE names .*missing"):
        read_secret_files({"GATEWAY_SECRET_KEY"}, {"GATEWAY_SECRET_KEY_FILE": str(tmp_path / "missing")})


def test_a_component_config_reads_only_what_its_config_names_from_files(tmp_path, monkeypatch):
    key = tmp_path / "gateway-secret-key"
    key.write_text(LONG_KEY + "\n")
    monkeypatch.setenv("GATEWAY_SECRET_KEY_FILE", str(key))
    monkeypatch.delenv("GATEWAY_SECRET_KEY", raising=False)
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "not-a-config-variable"))
    assert component_config("gateway")["SECRET_KEY"] == LONG_KEY
    assert "SSL_CERT" not in os.environ


def test_a_short_secret_key_is_refused_with_how_to_make_a_good_one():
    with pytest.raises(RuntimeError) as refused:
        check_secret_key("k", "0.0.0.0:8000")
    assert str(refused.value) == ("GATEWAY_SECRET_KEY has 1 characters; it signs every access token, so it must have "
                                  f"at least {MIN_SECRET_KEY_CHARS}. Make one with: openssl rand -hex 32")
    with pytest.raises(RuntimeError, match="has 31 characters"):
        check_secret_key("k" * 31, "127.0.0.1:8000")
    check_secret_key(LONG_KEY, "0.0.0.0:8000")


def test_the_development_key_serves_only_this_machine():
    check_secret_key("local-development-only-secret", "127.0.0.1:8000")
    with pytest.raises(RuntimeError, match="must be set when the gateway listens beyond this machine"):
        check_secret_key("local-development-only-secret", "0.0.0.0:8000")

import pytest

from fanfold.core.env import ConfigError, env_bool, env_int, env_list, env_str


def test_env_bool(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "0")
    assert env_bool("X_FLAG", True) is False
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ConfigError, match="X_FLAG='maybe' is not a boolean"):
        env_bool("X_FLAG", False)


def test_env_int_bounds(monkeypatch):
    monkeypatch.setenv("X_NUM", "12")
    assert env_int("X_NUM", 1) == 12
    monkeypatch.setenv("X_NUM", "twelve")
    with pytest.raises(ConfigError, match="not a whole number"):
        env_int("X_NUM", 1)
    monkeypatch.setenv("X_NUM", "0")
    with pytest.raises(ConfigError, match="below the minimum"):
        env_int("X_NUM", 1, minimum=1)


def test_env_str_required_and_list(monkeypatch):
    monkeypatch.delenv("X_MISSING", raising=False)
    with pytest.raises(ConfigError, match="X_MISSING is required"):
        env_str("X_MISSING")
    monkeypatch.setenv("X_LIST", "a.org, b.org,,")
    assert env_list("X_LIST", []) == ["a.org", "b.org"]


def test_cli_reports_bad_setting_without_traceback(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "FANFOLD_DEBUG": "perhaps", "FANFOLD_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "fanfold.cli", "check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert "FANFOLD_DEBUG='perhaps' is not a boolean" in result.stderr
    assert "Traceback" not in result.stderr

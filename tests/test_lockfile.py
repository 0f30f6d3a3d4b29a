"""The Docker image's lock: requirements.lock must still satisfy pyproject.toml, pin and hash every
package, and be what the Dockerfile installs. Someone who bumps a range in pyproject.toml without
running `bash .ci/lock`, or adds a `pip install` to the Dockerfile that resolves on its own, gets a
failure here rather than an image that differs from build to build. Reads files only: no network."""

from __future__ import annotations

import re
import tomllib

from helpers import ROOT
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

LOCK = ROOT / "requirements.lock"
DOCKERFILE = ROOT / "Dockerfile"
PYPROJECT = ROOT / "pyproject.toml"

# The extras the image ships (the EXTRAS list of .ci/lock): LLM mode's chat-model integrations.
IMAGE_EXTRAS = ("openai", "ollama", "anthropic")

# The image's interpreter and platform, for requirements that carry an environment marker.
IMAGE_ENVIRONMENT = {
    "python_version": "3.11",
    "python_full_version": "3.11.0",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
    "os_name": "posix",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
}


def logical_lines(text: str) -> list[str]:
    """The file's lines with backslash continuations joined and comments and blanks dropped: one
    entry per requirement (with its --hash options) in the lock, one per instruction in a
    Dockerfile."""
    lines: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#"):  # also a comment inside a continued instruction, as Docker reads it
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        if line:
            lines.append(line)
    if pending.strip():
        lines.append(pending.strip())
    return lines


def lock_entries() -> dict[str, tuple[str, list[str]]]:
    """requirements.lock as {normalised name: (the pinned requirement as written, its hashes)}."""
    entries: dict[str, tuple[str, list[str]]] = {}
    for line in logical_lines(LOCK.read_text(encoding="utf-8")):
        requirement, *options = line.split()
        name = canonicalize_name(Requirement(requirement).name)
        assert name not in entries, f"{name} is in requirements.lock twice"
        hashes = [option.removeprefix("--hash=") for option in options if option.startswith("--hash=")]
        entries[name] = (requirement, hashes)
    return entries


def pinned_version(requirement: str) -> Version | None:
    """The version of an exact `name==version` pin, or None for anything looser."""
    specifiers = list(Requirement(requirement).specifier)
    if len(specifiers) == 1 and specifiers[0].operator == "==" and "*" not in specifiers[0].version:
        return Version(specifiers[0].version)
    return None


def project_requirements() -> list[Requirement]:
    """What the image must contain: pyproject.toml's dependencies, the extras the image ships and
    the build backend (the Dockerfile builds citebot without build isolation, from the lock)."""
    pyproject = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    declared = list(pyproject["project"]["dependencies"])
    for extra in IMAGE_EXTRAS:
        declared += pyproject["project"]["optional-dependencies"][extra]
    declared += pyproject["build-system"]["requires"]
    requirements = [Requirement(text) for text in declared]
    return [req for req in requirements if req.marker is None or req.marker.evaluate(IMAGE_ENVIRONMENT)]


def pip_install_commands() -> list[str]:
    """Every `pip install ...` the Dockerfile runs, one string each (a RUN split at `&&`)."""
    commands = []
    for instruction in logical_lines(DOCKERFILE.read_text(encoding="utf-8")):
        keyword, _, body = instruction.partition(" ")
        if keyword.upper() != "RUN":
            continue
        for command in re.split(r"&&|;", body):
            command = " ".join(command.split())
            if re.search(r"\bpip3? install\b", command):
                commands.append(command)
    return commands


def test_every_project_requirement_is_pinned_in_the_lock_within_its_range() -> None:
    entries = lock_entries()
    problems = []
    for req in project_requirements():
        name = canonicalize_name(req.name)
        if name not in entries:
            problems.append(f"{req}: not in requirements.lock")
            continue
        pinned, _ = entries[name]
        version = pinned_version(pinned)
        if version is None:
            problems.append(f"{req}: the lock has {pinned!r}, not an exact == pin")
        elif not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req}: the lock pins {version}, outside {req.specifier}")
    assert not problems, "requirements.lock is stale; regenerate it with `bash .ci/lock`:\n" + "\n".join(problems)


def test_every_locked_package_is_pinned_exactly_and_hashed() -> None:
    entries = lock_entries()
    assert len(entries) > len(project_requirements()), "the lock should hold the transitive dependencies too"
    for name, (pinned, hashes) in entries.items():
        assert pinned_version(pinned) is not None, f"{pinned!r} in requirements.lock is not an exact == pin"
        assert hashes, f"{name} has no --hash in requirements.lock (pip --require-hashes would refuse it)"
        for digest in hashes:
            assert re.fullmatch(r"sha256:[0-9a-f]{64}", digest), f"{name}: {digest!r} is not a sha256 hash"


def test_the_lock_says_how_to_regenerate_it() -> None:
    header = LOCK.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert "bash .ci/lock" in header
    assert (ROOT / ".ci" / "lock").is_file()


def test_the_dockerfile_installs_the_lock_with_hashes_and_citebot_without_dependencies() -> None:
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^COPY\s+requirements\.lock\s", dockerfile, re.MULTILINE), "the lock is not copied into the image"
    commands = pip_install_commands()
    locked = [c for c in commands if "--require-hashes" in c.split() and "requirements.lock" in c.split()]
    assert locked, f"no `pip install --require-hashes -r requirements.lock` in the Dockerfile: {commands}"
    citebot = [c for c in commands if "--no-deps" in c.split() and c.split()[-1] == "."]
    assert citebot, f"no `pip install --no-deps .` in the Dockerfile: {commands}"
    # Anything else would resolve versions the lock does not fix.
    others = [c for c in commands if c not in locked and c not in citebot]
    assert not others, f"pip installs outside the lock in the Dockerfile: {others}"

"""Static checks of the deployment files: docker-compose.yml, Dockerfile, .env.example, .dockerignore.

No Docker engine runs in CI, so the files are validated here instead: the compose file parses
(PyYAML), its services run real `citebot` commands and set real settings, the Chroma service
has a named volume and a healthcheck (which is run against a real `chroma run` server), the
image runs as a non-root user, and `.env.example` names every setting and nothing else.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import tomllib
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml
from chroma_server import ChromaServer
from helpers import ROOT
from pydantic import TypeAdapter

from bot.cli import app
from bot.config import Settings

COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"
CITEBOT_SERVICES = ("bot", "index")


def names_of(field_name: str) -> set[str]:
    """The environment variables (upper case) that set the `Settings` field `field_name`."""
    field = Settings.model_fields[field_name]
    choices = getattr(field.validation_alias, "choices", None)
    if choices:
        return {str(choice).upper() for choice in choices}
    return {f"{Settings.model_config.get('env_prefix', '')}{field_name}".upper()}


def settings_env_names() -> set[str]:
    """Every environment variable `Settings` reads (upper case)."""
    return {env for name in Settings.model_fields for env in names_of(name)}


def cli_commands() -> dict[str, Any]:
    """The commands registered on the `citebot` Typer app, by name."""
    return dict(typer.main.get_command(app).commands)


def check_citebot_command(argv: list[str]) -> None:
    """`argv` is `citebot <registered command> [its options]`."""
    assert argv[0] == "citebot", argv
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert "citebot" in scripts, "pyproject.toml does not install a `citebot` script"
    commands = cli_commands()
    assert len(argv) > 1 and argv[1] in commands, f"{argv}: not one of {sorted(commands)}"
    options = {opt for param in commands[argv[1]].params for opt in getattr(param, "opts", [])}
    for word in argv[2:]:
        if word.startswith("-"):
            assert word.split("=")[0] in options, f"{argv}: {word} is not an option of `citebot {argv[1]}`"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("services"), dict)
    return data


def test_services_run_real_citebot_commands(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) >= {"chroma", *CITEBOT_SERVICES}
    assert services["bot"]["command"] == ["citebot", "telegram"]
    assert services["index"]["command"] == ["citebot", "index"]
    for name in CITEBOT_SERVICES:
        check_citebot_command(services[name]["command"])


def test_environment_names_are_settings(compose: dict[str, Any]) -> None:
    known = settings_env_names()
    for name in CITEBOT_SERVICES:
        service = compose["services"][name]
        environment = service["environment"]
        assert isinstance(environment, dict), f"{name}: write environment as a mapping"
        unknown = {key for key in environment if key.upper() not in known}
        assert not unknown, f"{name}: {sorted(unknown)} are not citebot settings"
        assert environment["CITEBOT_CHROMA_URL"] == "http://chroma:8000"
        assert service["env_file"] in (".env", [".env"])
        # The bot and the index job must describe the same folder, or each would rebuild the index.
        assert environment["CITEBOT_DOCS_DIR"] == compose["services"]["bot"]["environment"]["CITEBOT_DOCS_DIR"]
        assert any(str(v).split(":")[1] == environment["CITEBOT_DOCS_DIR"] for v in service["volumes"])


def test_chroma_service_has_named_volume_healthcheck_and_matching_version(compose: dict[str, Any]) -> None:
    chroma = compose["services"]["chroma"]
    image, _, tag = chroma["image"].partition(":")
    assert image == "chromadb/chroma"
    assert tag == version("chromadb"), "the Chroma server image must match the pinned chromadb client"
    named = set(compose.get("volumes") or {})
    mounts = [str(v).split(":") for v in chroma["volumes"]]
    assert any(source in named and target == "/data" for source, target, *_ in mounts), mounts
    health = chroma["healthcheck"]
    assert health["test"][0] == "CMD" and health["interval"] and health["retries"] >= 1
    assert chroma["restart"] in ("always", "unless-stopped", "on-failure")


def test_bot_waits_for_healthy_chroma_and_restarts(compose: dict[str, Any]) -> None:
    for name in CITEBOT_SERVICES:
        service = compose["services"][name]
        assert service["depends_on"]["chroma"]["condition"] == "service_healthy"
        assert service["build"] == "."
    assert compose["services"]["bot"]["restart"] in ("always", "unless-stopped", "on-failure")
    named = set(compose.get("volumes") or {})
    sources = {str(v).split(":")[0] for v in compose["services"]["bot"]["volumes"]}
    assert sources - {"./documents"} <= named


def test_uploads_have_a_writable_volume_the_index_job_reads_too(compose: dict[str, Any]) -> None:
    """Documents sent to the bot survive restarts, are the only documents it may write, and are
    kept by `docker compose run --rm index` (which would otherwise drop them from the index)."""
    mounts = {name: {str(v).split(":")[1]: str(v).split(":") for v in compose["services"][name]["volumes"]}
              for name in CITEBOT_SERVICES}
    uploads = compose["services"]["bot"]["environment"]["CITEBOT_UPLOADS_DIR"]
    assert compose["services"]["index"]["environment"]["CITEBOT_UPLOADS_DIR"] == uploads
    bot_mount, index_mount = mounts["bot"][uploads], mounts["index"][uploads]
    assert bot_mount[0] in set(compose["volumes"]) and bot_mount[0] == index_mount[0]
    assert bot_mount[2:] in ([], ["rw"])  # the bot writes there
    docs = compose["services"]["bot"]["environment"]["CITEBOT_DOCS_DIR"]
    assert mounts["bot"][docs][2:] == ["ro"]


def test_index_job_does_not_start_with_up(compose: dict[str, Any]) -> None:
    index = compose["services"]["index"]
    assert index["profiles"], "without a profile `docker compose up` would run the index job too"
    assert index["restart"] == "no"


def test_healthcheck_command_works_against_a_real_chroma_server(compose: dict[str, Any], tmp_path: Path) -> None:
    """Run the compose healthcheck with bash (what the image has) against `chroma run`."""
    command = compose["services"]["chroma"]["healthcheck"]["test"]
    assert command[1:3] == ["/bin/bash", "-c"]
    server = ChromaServer(tmp_path / "chroma")
    script = command[3].replace("/8000", f"/{server.port}")
    with server:
        assert subprocess.run(["/bin/bash", "-c", script], timeout=10).returncode == 0
    assert subprocess.run(["/bin/bash", "-c", script], timeout=10, stderr=subprocess.DEVNULL).returncode != 0


# --- Dockerfile ---------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            pairs.append((keyword.upper(), rest.strip()))
    return pairs


def test_dockerfile_slim_base_nonroot_user_and_bot_command() -> None:
    instructions = dockerfile_instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim")
    users = [args for keyword, args in instructions if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), "the image must not run as root"
    # the chat-model integrations LLM mode can use are in the lock the image installs from
    # (tests/test_lockfile.py checks the install itself)
    assert any(keyword == "RUN" and "-r requirements.lock" in args for keyword, args in instructions)
    locked = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    for integration in ("langchain-openai", "langchain-ollama", "langchain-anthropic"):
        assert re.search(rf"^{integration}==", locked, re.MULTILINE), integration
    cmd = [args for keyword, args in instructions if keyword == "CMD"][-1]
    check_citebot_command(yaml.safe_load(cmd))  # the exec form is a JSON (so YAML) list
    for keyword, args in instructions:
        if keyword == "COPY":
            sources = [word for word in shlex.split(args) if not word.startswith("--")][:-1]
            missing = [source for source in sources if not (ROOT / source).exists()]
            assert not missing, f"COPY {args}: {missing} not in the repository"
        if keyword == "ENV":
            for name in re.findall(r"\b(CITEBOT_[A-Z_]+)=", args):
                assert name in settings_env_names(), f"Dockerfile sets {name}, which is no setting"


def test_dockerignore_keeps_secrets_and_state_out_of_the_image() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".env", ".venv", ".citebot", ".git"} <= ignored
    assert ".env" in (ROOT / ".gitignore").read_text().split()


# --- .env.example -------------------------------------------------------------------------


def test_env_example_names_every_setting_and_nothing_else() -> None:
    named = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(encoding="utf-8"), re.MULTILINE))
    known = settings_env_names()
    assert named <= known, f".env.example names unknown settings: {sorted(named - known)}"
    fields = set(Settings.model_fields)
    covered = {name for name in fields if names_of(name) & named}
    assert covered == fields, f".env.example does not mention: {sorted(fields - covered)}"
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if re.match(r"^[A-Z]", line):
            assert line.endswith("="), f"{line!r}: .env.example must not hold values for active settings"
    Settings(_env_file=str(ENV_EXAMPLE))  # what is active in it loads


def test_env_example_shows_the_real_defaults() -> None:
    """A commented-out `# NAME=value` line shows the default; it must be the default `Settings` has."""
    field_of = {env: name for name in Settings.model_fields for env in names_of(name)}
    shown = re.findall(r"^#\s*([A-Z][A-Z0-9_]*)=(\S+)$", ENV_EXAMPLE.read_text(encoding="utf-8"), re.MULTILINE)
    assert shown
    for env, value in shown:
        field = Settings.model_fields[field_of[env]]
        assert TypeAdapter(field.annotation).validate_python(value) == field.get_default(call_default_factory=True), (
            f".env.example shows {env}={value}, but the default is {field.get_default(call_default_factory=True)!r}"
        )

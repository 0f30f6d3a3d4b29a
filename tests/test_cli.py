"""The `citebot` command as users run it: a real process, real index, real model."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import assert_well_cited, bundled_copy, clean_environ, run_citebot


def citebot(*args: str, data: Path, docs: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """`citebot ARGS` in a real process on the documents folder `docs` and the data folder `data`."""
    return run_citebot(*args, cwd=data.parent, stdin=stdin, CITEBOT_DATA_DIR=str(data), CITEBOT_DOCS_DIR=str(docs),
                       COLUMNS="200")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("cli")
    return bundled_copy(root / "docs"), root / "data"


def test_ask_builds_the_index_when_missing_and_prints_one_json_object(workspace) -> None:
    docs, data = workspace
    done = citebot("ask", "Which newspaper did Shoigu present to Parly?", "--json", data=data, docs=docs)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)  # exactly one JSON document, nothing else on stdout
    assert_well_cited(answer, docs)  # its markers are its citations, each quoting its document verbatim
    assert "Krasnaya Zvezda" in answer["answer"] and answer["mode"] == "extractive"


def test_refusal_is_plain_and_exits_zero(workspace) -> None:
    docs, data = workspace
    done = citebot("ask", "What did Angela Merkel say in Paris?", "--json", data=data, docs=docs)
    assert done.returncode == 0
    answer = json.loads(done.stdout)
    assert answer["answered"] is False and answer["citations"] == [] and "Merkel" in answer["answer"]
    assert answer["refusal"] == "unknown_name"  # the check that refused, for scripts to act on


def test_ask_prints_answer_and_sources_for_people(workspace) -> None:
    docs, data = workspace
    done = citebot("ask", "What is MH17?", data=data, docs=docs)
    assert done.returncode == 0
    assert "MH17" in done.stdout and "[1]" in done.stdout
    assert "france-russia-2plus2-meeting-paris-2021-11-12.txt" in done.stdout


def test_index_reports_what_it_did(workspace) -> None:
    docs, data = workspace
    done = citebot("index", data=data, docs=docs)
    assert done.returncode == 0
    assert "2 documents" in done.stderr and "2 unchanged" in done.stderr


def test_piped_chat_answers_each_line_with_follow_ups(workspace) -> None:
    docs, data = workspace
    questions = "What did Shoigu say about cooperation with Florence Parly?\n\nWhat did she give him?\nhello\n"
    done = citebot("chat", "--json", data=data, docs=docs, stdin=questions)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [a["question"] for a in lines] == [
        "What did Shoigu say about cooperation with Florence Parly?", "What did she give him?", "hello"]
    assert_well_cited(lines[1], docs)
    assert "photograph" in lines[1]["answer"]
    assert lines[2]["answered"] is False and lines[2]["refusal"] == "small_talk"

    plain = citebot("chat", data=data, docs=docs, stdin="What is MH17?\n")
    assert plain.returncode == 0 and "> What is MH17?" in plain.stdout and "[1]" in plain.stdout


def test_piped_chat_runs_commands_instead_of_asking_them(workspace) -> None:
    docs, data = workspace
    done = citebot("chat", data=data, docs=docs, stdin="What is MH17?\n/sources 1\n/docs\n/quit\nWhat is the JCPOA?\n")
    assert done.returncode == 0, done.stderr
    answer, source, listing, *rest = done.stdout.split("\n> ")
    sentence = "Lastly, they stressed the importance of resolving the MH17 affair."
    # the cited sentence is shown whole, at the end of its passage, with a little of what comes before
    assert f"{sentence}”" in answer and "“…" in answer and "Navalny" in answer
    assert source.startswith("/sources 1") and "characters" in source and "Navalny" in source
    assert listing.startswith("/docs") and "russia-france-2plus2-meeting-moscow-2019-09-09.txt, 8 passages" in listing
    assert [part.strip() for part in rest] == ["/quit"] and "JCPOA" not in done.stdout

    as_json = citebot("chat", "--json", data=data, docs=docs, stdin="/docs\nWhat is MH17?\n/reset\n/quit\nWhat?\n")
    lines = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert [line["question"] for line in lines] == ["/docs", "What is MH17?"]
    assert "only /reset and /quit" in lines[0]["error"]
    assert_well_cited(lines[1], docs)


def test_missing_documents_folder_is_a_clear_error(workspace, tmp_path: Path) -> None:
    _, data = workspace
    done = citebot("ask", "What is MH17?", data=tmp_path / "fresh", docs=tmp_path / "nowhere")
    assert done.returncode == 1
    assert "does not exist" in done.stderr and "Traceback" not in done.stderr


def run_module(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS`, outside any settings of this machine."""
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, timeout=60,
                          env={**clean_environ(), "COLUMNS": "120", **(env or {})})


def test_python_m_bot_is_citebot_with_version_and_flags_shown_as_flags() -> None:
    from importlib.metadata import version

    done = run_module("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"citebot {version('citebot')}"
    for command in ("ask", "chat", "index", "feedback"):
        helped = run_module(command, "--help")
        assert helped.returncode == 0 and "--json" in run_module("ask", "--help").stdout
        assert "<bool>" not in helped.stdout, helped.stdout  # --json, not --json <bool>


def test_log_level_is_checked_and_can_come_from_the_environment(tmp_path: Path) -> None:
    wrong = run_module("--log-level", "loud", "index", "--list", env={"CITEBOT_DATA_DIR": str(tmp_path)})
    assert wrong.returncode == 2 and "'loud' is not one of debug, info, warning, error" in wrong.stderr
    chatty = run_module("index", "--list", env={"CITEBOT_DATA_DIR": str(tmp_path), "CITEBOT_LOG_LEVEL": "debug"})
    assert chatty.returncode == 0 and " DEBUG " in chatty.stderr
    quiet = run_module("index", "--list", env={"CITEBOT_DATA_DIR": str(tmp_path)})
    assert quiet.returncode == 0 and " DEBUG " not in quiet.stderr


def test_index_json_prints_the_summary_on_stdout(workspace) -> None:
    docs, data = workspace
    done = citebot("index", "--json", data=data, docs=docs)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["documents"] == 2 and report["chunks"] == 14 and report["skipped"] == []
    assert sorted(report["added"] + report["unchanged"] + report["changed"]) == sorted(
        p.name for p in docs.iterdir())


def _terminal_chat(docs: Path, data: Path, keys: list[bytes], timeout: float = 180) -> str:
    """What `citebot chat` shows on a terminal (a pseudo-terminal) when `keys` are typed, each
    once the prompt is back."""
    env = {**clean_environ(), "CITEBOT_DATA_DIR": str(data), "CITEBOT_DOCS_DIR": str(docs), "TERM": "xterm",
           "COLUMNS": "120"}
    pid, fd = pty.fork()
    if pid == 0:  # the child: citebot on the terminal
        os.chdir(data.parent)
        os.execve(sys.executable, [sys.executable, "-m", "bot", "chat"], env)
    shown, deadline = b"", time.monotonic() + timeout
    try:
        for key in [None, *keys]:
            if key is not None:
                os.write(fd, key)
            prompts = shown.count(b"you>")
            while shown.count(b"you>") == prompts and time.monotonic() < deadline:
                if select.select([fd], [], [], 0.2)[0]:
                    try:
                        shown += os.read(fd, 65536)
                    except OSError:  # the chat ended
                        break
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(fd)
    return shown.decode("utf-8", "replace")


def test_empty_lines_at_the_prompt_give_a_fresh_prompt_each(workspace) -> None:
    docs, data = workspace
    shown = _terminal_chat(docs, data, [b"\r", b"   \r", b"\r"])
    prompt_lines = [line for line in shown.replace("\r", "").split("\n") if "you>" in line]
    assert len(prompt_lines) == 4, shown[-500:]
    assert all(line.count("you>") == 1 for line in prompt_lines), prompt_lines  # not "you> you> you>"

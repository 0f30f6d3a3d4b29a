"""How a document is cut into sentences for ranking (`index.chunking`): a line ending with a colon
and the one line it announces (a command, a value, code) are one sentence, since neither answers
alone; a list it announces keeps its items apart."""

from __future__ import annotations

from index.chunking import chunk_text


def _sentences(text: str) -> list[str]:
    return [text[start:end] for chunk in chunk_text(text, "venv.txt", "Virtual environments", 900)
            for start, end in chunk.sentences]


def test_a_line_ending_with_a_colon_and_the_command_it_announces_are_one_sentence() -> None:
    text = ("Once you have created a virtual environment, you may activate it.\n\n"
            "On Windows, run:\n\ntutorial-env\\Scripts\\activate.bat\n\n"
            "On Unix or MacOS, run:\n\nsource tutorial-env/bin/activate\n\n"
            "Author:\n\nGuido van Rossum\n")
    assert _sentences(text) == [
        "Once you have created a virtual environment, you may activate it.",
        "On Windows, run:\n\ntutorial-env\\Scripts\\activate.bat",
        "On Unix or MacOS, run:\n\nsource tutorial-env/bin/activate",
        "Author:\n\nGuido van Rossum",
    ]


def test_the_items_of_a_list_a_colon_announces_stay_apart() -> None:
    text = ("The difference between shallow and deep copying is only relevant for compound objects:\n\n"
            "A shallow copy constructs a new compound object.\n\n"
            "A deep copy constructs a new compound object and then inserts copies into it.\n\n"
            "Two problems often exist with deep copy operations:\n\n"
            "Recursive objects may cause a recursive loop. Deep copy may copy too much.\n")
    sentences = _sentences(text)
    assert "A shallow copy constructs a new compound object." in sentences
    assert "The difference between shallow and deep copying is only relevant for compound objects:" in sentences
    # a paragraph of two sentences is no single line: the colon's line stays apart from it too
    assert "Two problems often exist with deep copy operations:" in sentences

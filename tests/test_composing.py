"""What an answer shows around the sentence that answers (issue 10, "concise answers"): a sentence
that leans on the one before brings it along (*He also praised …*, *French colleagues agreed with
him.*, *Such a statement was made by …*), one that announces what follows brings the line after it,
and a heading or caption is never brought. Real embedder, real Chroma (`bot.answering.compose`).
"""

from __future__ import annotations

import re

from helpers import core_on

from bot.core import AnswerCore, with_history


def test_a_sentence_that_announces_a_command_brings_the_command(embeddings, tmp_path) -> None:
    """"On Windows, run:" answers nothing on its own: the line after it comes along."""
    core = core_on(embeddings, tmp_path, {"venv.md": (
        "# Virtual environments\n\nA virtual environment keeps a project's packages apart from the system's.\n\n"
        "Once you have created a virtual environment, you may activate it.\n\n"
        "On Windows, run:\n\n    tutorial-env\\Scripts\\activate\n\n"
        "To deactivate a virtual environment, type:\n\n    deactivate\n\n"
        "Packages are installed with pip, which downloads them from the Python Package Index.\n"
    )})
    answer = core.ask("How do I deactivate a virtual environment?")
    assert answer.answered and "type: deactivate [1]" in answer.answer, answer.answer


def test_a_signature_brings_the_description_under_it(embeddings, tmp_path) -> None:
    """"textwrap.dedent(text)¶" alone answers nothing: the line describing it comes along, but
    not an alias's signature."""
    core = core_on(embeddings, tmp_path, {"textwrap.txt": (
        "textwrap — Text wrapping and filling\n\nThe textwrap module provides some convenience functions.\n\n"
        "textwrap.dedent(text)¶\n\nRemove any common leading whitespace from every line in text.\n\n"
        "textwrap.indent(text, prefix, predicate=None)¶\n\nAdd prefix to the beginning of selected lines in text.\n"
    )})
    answer = core.ask("how do i dedent text")
    assert "textwrap.dedent(text)¶ Remove any common leading whitespace" in answer.answer, answer.answer


def test_an_it_that_announces_what_follows_brings_no_sentence_along(core: AnswerCore) -> None:
    """"It is no coincidence that Florence Parly met … Esper" leans on nothing: the sentence
    before it (Washington and Paris on global security) is not shown with it; "It was …" still
    would be."""
    answer = core.ask("Who did Parly meet before her negotiations with Shoigu?")
    assert answer.sentences()[0].startswith("It is no coincidence that Florence Parly met"), answer.answer
    assert "Both Washington and Paris" not in answer.answer, answer.answer


def test_a_short_sentence_with_him_brings_whom_it_means(core: AnswerCore) -> None:
    """"French colleagues agreed with him." alone does not say with whom: the sentence before it,
    which names Lavrov, comes along."""
    answer = core.ask("Who agreed with Lavrov on the Iran deal?")
    assert re.search(r"Lavrov noted: .{0,80} French colleagues agreed with him", answer.answer), answer.answer


def test_a_sentence_leaning_on_one_that_leans_back_brings_both(core: AnswerCore) -> None:
    """"He also praised …" leans on "French colleagues agreed with him.", which leans on the
    sentence naming Lavrov: the answer shows all three, so it says who praised."""
    answer = core.ask("Whose efforts to save the nuclear deal did the Russian foreign minister praise?")
    assert re.search(r"Lavrov noted: .{0,80} French colleagues agreed with him\. He also praised", answer.answer), \
        answer.answer


def test_a_sentence_opening_with_such_brings_what_it_means(core: AnswerCore) -> None:
    """"Such a statement was made by … Shoigu" says who spoke but not what: the statement before
    it comes along, so "What did Shoigu tell Parly?" shows what he said."""
    answer = core.ask("Qu'a dit Choïgou à Parly lors de leur rencontre ?")
    assert re.search(r"intention to cooperate with Paris .{0,120} Such a statement was made by", answer.answer), \
        answer.answer


def test_a_short_sentence_with_lui_brings_whom_it_means(embeddings, tmp_path) -> None:
    """The same in a French document: "Ses collègues étaient d'accord avec lui." comes with the
    sentence naming him."""
    core = core_on(embeddings, tmp_path, {"reunion.md": (
        "# Réunion des ministres\n\nLes ministres se sont retrouvés à Lyon pour parler de la pêche.\n\n"
        "Le ministre espagnol Carlos Ruiz a proposé un nouveau quota pour le thon rouge.\n\n"
        "Ses collègues étaient d’accord avec lui.\n\nLa réunion suivante aura lieu à Séville.\n"
    )})
    answer = core.ask("Qui était d'accord avec Carlos Ruiz ?")
    assert "Carlos Ruiz a proposé un nouveau quota pour le thon rouge. Ses collègues étaient d’accord avec lui." \
        in answer.answer, answer.answer


def test_a_sentence_announcing_a_list_brings_the_list(core: AnswerCore) -> None:
    """"… there really are many issues on which Paris and Moscow can effectively cooperate."
    answers nothing until the sentence after it gives them: "Among them, analysts called …"."""
    answer = core.ask("according to the experts, what could paris and moscow actually work on together?")
    assert answer.answered and answer.sentences()[0].startswith("According to experts"), answer.answer
    assert "Among them, analysts called the fight against terrorism" in answer.answer, answer.answer


def test_a_sentence_announcing_a_topic_brings_what_is_said_of_it(embeddings, tmp_path) -> None:
    """"One of the central topics of the talks was the situation in the Bay of Biscay." names the
    topic and says nothing of it: the sentence after it, which does, comes along, in English and
    in Russian."""
    core = core_on(embeddings, tmp_path, {"fisheries.md": (
        "# Fisheries talks in Lyon\n\nThe fisheries ministers of Spain and France met in Lyon on 3 May 2024.\n\n"
        "One of the central topics of the talks was the situation in the Bay of Biscay. "
        "The two sides agreed to cut the catch quota there by a fifth next season.\n\n"
        "The ministers also discussed the training of young fishermen and harbour safety.\n\n"
        "The next meeting will be held in Seville.\n"
    )})
    for question in ("What about the Bay of Biscay?", "Что решили по Бискайскому заливу?"):
        answer = core.ask(question)
        assert answer.answered and answer.sentences()[0].startswith("One of the central topics"), answer.answer
        assert "cut the catch quota there by a fifth" in answer.answer, (question, answer.answer)


def test_a_follow_up_on_a_topic_gets_what_is_said_of_it(core: AnswerCore) -> None:
    """After the Syria question, "а про Иран?" is answered with what Moscow and Paris said of
    Iran, not only with "One of the central topics … was the situation around Iran."."""
    first = core.ask("Что обсуждали в Москве в 2019 году по Сирии?")
    answer = core.ask("а про Иран?", with_history([], first, 4))
    assert answer.answered and "Joint Comprehensive Plan of Action" in answer.answer, answer.answer


def test_what_only_names_a_topic() -> None:
    """A sentence saying only that something was a topic announces it; one saying something of it
    does not; a word of the question may name the topic ("bluefin tuna")."""
    from bot.answering.sequel import announces_a_topic

    assert announces_a_topic("Among the topics raised at the meeting was the conflict in Ukraine.")
    assert announces_a_topic("Les ministres ont discuté de la situation en Syrie.")
    assert announces_a_topic("Одной из центральных тем переговоров в Москве была ситуация вокруг Ирана.")
    assert not announces_a_topic("Moscow and Paris have confirmed that they are committed to maintaining the JCPOA.")
    sentence = "One of the central topics of the talks was the situation around bluefin tuna."
    assert announces_a_topic(sentence, "And bluefin tuna?") and not announces_a_topic(sentence, "And the quota?")

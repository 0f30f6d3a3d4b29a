"""Every text a user reads exists in English, French and Russian, with the same placeholders;
answers' refusals speak the question's language, in every front end."""

from __future__ import annotations

import re
from importlib import resources

import pytest

import prompts
from bot.config import Settings
from bot.core import AnswerCore
from bot.telegram.texts import Texts, language_for

USER_FACING = sorted(
    path.name.removesuffix(".txt") for path in resources.files("prompts").iterdir()
    if path.name.endswith(".txt") and path.name.startswith(("answer_", "telegram_"))
)
_PLACEHOLDER = re.compile(r"\{(\w*)\}")


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


@pytest.mark.parametrize("name", USER_FACING)
@pytest.mark.parametrize("language", ["fr", "ru"])
def test_every_user_facing_text_is_translated_with_the_same_placeholders(name: str, language: str) -> None:
    assert prompts.translated(name), f"prompts/{language}/{name}.txt is missing"
    english, translated = prompts.load(name), prompts.load(name, language)
    assert translated != english
    if name in ("telegram_replies", "telegram_commands", "answer_notices", "answer_small_talk_openers"):
        ours, theirs = prompts.table(name), prompts.table(name, language)
        assert theirs.keys() == ours.keys()
        for key, text in ours.items():
            if not key.startswith("PLURAL_"):
                assert placeholders(theirs[key]) == placeholders(text), key
    else:
        assert placeholders(translated) == placeholders(english)


def test_counted_nouns_follow_each_languages_rules() -> None:
    en, fr, ru = Texts("en"), Texts("fr"), Texts("ru")
    assert [en.count(n, "document") for n in (0, 1, 2)] == ["0 documents", "1 document", "2 documents"]
    assert [fr.count(n, "passage") for n in (0, 1, 2)] == ["0 passage", "1 passage", "2 passages"]
    assert [ru.count(n, "document") for n in (1, 3, 5, 11, 21, 22, 112)] == [
        "1 документ", "3 документа", "5 документов", "11 документов", "21 документ", "22 документа", "112 документов"]


def test_the_users_language_comes_from_telegram_unless_forced() -> None:
    from telegram import User

    settings = Settings(_env_file=None)
    def user(code: str | None) -> User:
        return User(1, "x", False, language_code=code)

    assert [language_for(settings, user(c)) for c in ("fr", "ru-RU", "pt-BR", None)] == ["fr", "ru", "en", "en"]
    assert language_for(settings.model_copy(update={"language": "ru"}), user("fr")) == "ru"


@pytest.mark.parametrize(("question", "language"), [
    ("Quelle est la recette du bortsch ?", "fr"),
    ("Какой рецепт борща?", "ru"),
    ("What is the recipe for borscht?", "en"),
])
def test_refusals_speak_the_language_of_the_question(core: AnswerCore, question: str, language: str) -> None:
    answer = core.ask(question)
    assert not answer.answered
    refusals = {prompts.load(f"answer_{code}", language).split("{")[0] for code in ("not_found", "unknown_terms")}
    assert any(answer.answer.startswith(start) for start in refusals), answer.answer


@pytest.mark.parametrize(("said", "opener"), [
    ("thanks!", "You're welcome!"), ("hi", "Hello!"), ("merci !", "Avec plaisir !"), ("привет", "Здравствуйте!"),
    # words with "й", which tokens fold to "и": these were answered with a cited passage
    ("Здравствуйте!", "Здравствуйте!"), ("Добрый день!", "Здравствуйте!"),
    # warmer greetings and thanks: these too were answered with a cited passage
    ("Спасибо большое!", "Пожалуйста!"), ("Доброе утро", "Здравствуйте!"), ("Merci beaucoup", "Avec plaisir !"),
    ("Bonne soirée !", "Bonjour !"), ("Thank you very much!", "You're welcome!"),
    # reactions, greeted "Hello!" ("ok") or told "The documents never mention “Wow”"
    ("ok", "All right."), ("Wow", "All right."), ("Hmm...", "All right."), ("d'accord !", "D'accord."),
    ("Понятно", "Хорошо."),
])
def test_small_talk_is_answered_in_kind(core: AnswerCore, said: str, opener: str) -> None:
    answer = core.ask(said)
    assert answer.refusal == "small_talk" and answer.answer.startswith(opener + " ")


@pytest.mark.parametrize("asked", ["How much?", "And the day?", "Много ли?", "Beaucoup ?", "hello, what day was it?",
                                   "Quel accord ?", "Great Britain?"])
def test_a_word_that_only_warms_a_greeting_is_no_greeting_alone(core: AnswerCore, asked: str) -> None:
    assert core.ask(asked).refusal != "small_talk"

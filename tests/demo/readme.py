"""The README's example requests, as a person would copy them: GraphQL blocks and curl lines.

Each example keeps the comment lines written above it (they say who is asking, e.g. "# City
bureau (city 150300): …"), so the test can send it with that user's token.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
_FENCE = re.compile(r"^```(\w*)\s*$")
_CURL_DATA = re.compile(r"-d '(\{.*?\})'", re.S)
_TOKEN_COMMAND = re.compile(r"hub token ((?:--[\w-]+(?: [\w.-]+)?\s*)+)")


@dataclass(frozen=True)
class Example:
    """One request of the README: who asks (the comment above it), and the document."""

    line: int
    comment: str
    document: str

    @property
    def name(self) -> str:
        first = (self.comment.splitlines() or [self.document.split("{")[0]])[0]
        return f"README:{self.line} {first.strip('# ').strip()[:60]}"


def _blocks(text: str) -> list[tuple[int, str, list[str]]]:
    """(first line number, language, lines) of each fenced block."""
    blocks, language, start, lines = [], None, 0, []
    for number, line in enumerate(text.splitlines(), start=1):
        fence = _FENCE.match(line)
        if fence and language is None:
            language, start, lines = fence.group(1), number + 1, []
        elif line.strip() == "```" and language is not None:
            blocks.append((start, language, lines))
            language = None
        elif language is not None:
            lines.append(line)
    return blocks


def _documents(start: int, lines: list[str]) -> list[Example]:
    """Split a GraphQL block into its top-level documents, each with its comment lines."""
    examples: list[Example] = []
    comment: list[str] = []
    current: list[str] = []
    depth = 0
    begun = start
    for offset, line in enumerate(lines):
        stripped = line.strip()
        if depth == 0 and not current:
            if stripped.startswith("#"):
                comment.append(stripped)
                continue
            if not stripped:
                continue
            begun = start + offset
        current.append(line)
        depth += line.count("{") - line.count("}")
        if depth == 0 and current:
            examples.append(Example(begun, "\n".join(comment), "\n".join(current)))
            comment, current = [], []
    return examples


def _curl_examples(start: int, lines: list[str]) -> list[Example]:
    """Each `curl … -d '{"query": …}'` of a shell block, with the `hub token` line that made
    its token as the comment."""
    text = "\n".join(lines)
    examples = []
    for match in _CURL_DATA.finditer(text):
        if "/graphql" not in text[: match.start()].rsplit("curl", 1)[-1]:
            continue
        before = text[: match.start()]
        tokens = _TOKEN_COMMAND.findall(before)
        comment = f"# token: hub token {tokens[-1].strip()}" if tokens else ""
        document = json.loads(match.group(1))["query"]
        line = start + before.count("\n")
        examples.append(Example(line, comment, document))
    return examples


def readme_examples() -> list[Example]:
    """Every example request of the README, in order."""
    examples: list[Example] = []
    for start, language, lines in _blocks(README.read_text(encoding="utf-8")):
        if language == "graphql":
            examples.extend(_documents(start, lines))
        elif language in {"sh", "bash"}:
            examples.extend(_curl_examples(start, lines))
    return examples

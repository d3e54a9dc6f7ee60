"""Error codes are enums with a status and a meaning, listed in docs/errors.md (issue 13)."""

import ast
import os
from pathlib import Path

from fivestar.core.errors import DomainError, error_code_enums, error_codes_markdown

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "errors.md"


def test_docs_errors_md_lists_every_code():
    expected = error_codes_markdown()
    if os.environ.get("FIVESTAR_WRITE_DOCS") == "1":
        DOC.write_text(expected, encoding="utf-8")
    assert DOC.read_text(encoding="utf-8") == expected, (
        "docs/errors.md is stale: run FIVESTAR_WRITE_DOCS=1 uv run pytest "
        "tests/core/test_error_codes.py"
    )


def test_codes_are_unique_and_each_has_a_status_and_a_meaning():
    seen: dict[str, str] = {}
    for enum in error_code_enums():
        for member in enum:
            assert member.value not in seen, f"{member.value} in {seen.get(member.value)}"
            seen[member.value] = enum.__name__
            assert 400 <= member.status <= 599 and str(member.meaning)
    assert {"unknown_action", "transition_not_allowed", "quote_expired", "throttled"} <= set(seen)


def test_no_domain_error_is_raised_with_a_loose_string_code():
    """``code=`` of a domain error (or the API's error answer) is an enum member, never a
    string literal: every code is in the list."""
    raisers = {"error_response", "bad_request", *_names(DomainError)}
    loose = []
    for path in (ROOT / "fivestar").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name not in raisers:
                    continue  # Django's own codes on form and model validation, and others
                for keyword in node.keywords:
                    if (keyword.arg == "code" and isinstance(keyword.value, ast.Constant)
                            and isinstance(keyword.value.value, str)):
                        loose.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            elif isinstance(node, ast.ClassDef):
                for item in node.body:
                    if (node.name in raisers and isinstance(item, ast.Assign) and any(
                            getattr(t, "id", "") == "code" for t in item.targets)
                            and isinstance(item.value, ast.Constant)):
                        loose.append(f"{path.relative_to(ROOT)}:{item.lineno}")
    assert loose == []


def _names(cls: type) -> set[str]:
    return {cls.__name__, *(name for sub in cls.__subclasses__() for name in _names(sub))}

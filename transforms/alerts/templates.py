"""Alert messages: Jinja2 templates rendered in a sandbox with strict variables.

Rules files are written by analysts and may come from anywhere, so templates run sandboxed
(no attribute tricks, no file access) and an unknown variable is an error at load time, not an
empty string in a message at 3 a.m.
"""
from __future__ import annotations

from functools import lru_cache

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

# What a template can use; `check_template` renders against this sample.
SAMPLE_CONTEXT = {
    "rule": "sample-rule",
    "rule_type": "threshold",
    "severity": "warning",
    "key": "Vladimir Putin | ASSAULT",
    "value": 12,
    "unit": "killed",
    "matched": ["Vladimir Putin"],
    "triggered_at": "2020-10-01T00:00:00Z",
    "window_start": "2020-10-01T00:00:00Z",
    "story_id": "story-1",
    "articles": [{"id": "a1", "title": "A title", "url": "https://example.org/a", "path": None,
                  "source": "Example", "published_at": "2020-10-01"}],
}


@lru_cache(maxsize=1)
def _environment() -> ImmutableSandboxedEnvironment:
    return ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False,
                                         trim_blocks=True, lstrip_blocks=True)


@lru_cache(maxsize=256)
def _compiled(source: str):
    return _environment().from_string(source)


def check_template(source: object) -> str | None:
    """None when `source` compiles and renders the sample context, else what is wrong."""
    if not isinstance(source, str) or not source.strip():
        return "give a non-empty Jinja2 text"
    try:
        _compiled(source).render(SAMPLE_CONTEXT)
    except TemplateError as exc:
        line = f" (line {exc.lineno})" if getattr(exc, "lineno", None) else ""
        return f"{exc.message or type(exc).__name__}{line}"
    except (TypeError, ValueError, ArithmeticError, LookupError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def render(source: str, context: dict) -> str:
    """The message for one alert; the template was checked when the rules were loaded."""
    return _compiled(source).render(context).strip()

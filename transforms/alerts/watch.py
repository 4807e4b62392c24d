"""The rules of a run: the rules file plus `--watch NAME` ad-hoc watchlists."""
from __future__ import annotations

from newsmon.transforms.alerts.aliases import canonical_of
from newsmon.transforms.alerts.rules import RuleSet, load_rules, parse_rule


def watch_rules(names: list[str]) -> list:
    """One watchlist rule per `--watch NAME`: every article naming the entity, any spelling."""
    rules = []
    for name in dict.fromkeys(canonical_of(name.strip()) for name in names if name.strip()):
        spec = {
            "name": f"watch:{name}",
            "type": "watchlist",
            "entities": [name],
            "severity": "warning",
            "key": ["entity", "article_id"],
            "throttle": 0,
            "message": "[{{ severity }}] {{ matched | join(', ') }} named in: "
                       "{% for a in articles %}{{ a.title }} {{ a.url or a.path or '' }}{% endfor %}",
        }
        rules.append(parse_rule("--watch", spec, 0, {}))
    return rules


def rules_for_run(rules_file: str | None, watch: list[str]) -> RuleSet:
    """The rules file (or the packaged defaults) plus one rule per watched name."""
    return load_rules(rules_file).plus(watch_rules(watch))
